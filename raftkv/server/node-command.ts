// `raftkv node`: runs one node process. Logs JSON lines to stdout; exits cleanly on SIGTERM/SIGINT.
import { Command, Option } from 'commander'
import { pino } from 'pino'
import { RaftKvNode } from './node.js'
import { buildNodeConfig, type RawNodeArgs } from './node-config.js'
import { NodeConfigError } from './errors.js'
import { NODE_DEFAULTS as D } from './node-defaults.js'
import { watchParent } from './parent-watch.js'
import { positiveInt } from './node-config.js'
import { processMarks } from './startup-marks.js'

/** An orphaned node gets this long to stop cleanly before it exits anyway. */
const FORCED_EXIT_MS = 1000

/** `modulesMs`: when the process entry's imports were done (ms since the process started). */
export function nodeCommand(entry: { modulesMs?: number } = {}): Command {
  return new Command('node')
    .description('run a RaftKV node (one process per node); the cluster token comes from RAFTKV_TOKEN')
    .requiredOption('--id <id>', 'this node\'s id (a positive integer)')
    .requiredOption('--peers <list>', 'every member as id=host:port, comma-separated (this node included)')
    .requiredOption('--data-dir <dir>', 'directory of this node\'s RocksDB and snapshots')
    .option('--listen <host:port>', 'address to bind (default: 127.0.0.1 and the port of this node\'s --peers entry)')
    .option('--tick-ms <ms>', 'raft tick interval', String(D.tickMs))
    .option('--election-tick <ticks>', 'election timeout in ticks (randomized up to twice that)', String(D.electionTick))
    .option('--heartbeat-tick <ticks>', 'heartbeat interval in ticks', String(D.heartbeatTick))
    .option('--raft-log-gc-count-limit <n>', 'compact the raft log once it holds this many applied entries', String(D.raftLogGcCountLimit))
    .option('--raft-log-gc-size-limit <bytes>', 'compact the raft log once it holds this many bytes', String(D.raftLogGcSizeLimit))
    .option('--request-timeout-ms <ms>', 'answer TIMEOUT to requests not done within this', String(D.requestTimeoutMs))
    .option('--snapshot-rate-limit <MiBps>', 'limit each snapshot transfer to this many MiB/s (0: unlimited)', String(D.snapshotRateLimitMBps))
    .option('--snapshot-max-send <n>', 'snapshots sent at once', String(D.snapshotMaxConcurrentSend))
    .option('--snapshot-max-receive <n>', 'snapshots received at once (more are refused with a reason)', String(D.snapshotMaxConcurrentReceive))
    .option('--snapshot-chunk-bytes <bytes>', 'target size of one snapshot chunk (default 120 KiB, below the malloc mmap threshold the Supervisor starts nodes with)')
    .option('--block-cache-mb <MiB>', 'RocksDB block cache, index and filter blocks included (default 8)')
    .option('--memtable-mb <MiB>', 'RocksDB memtable budget: write buffers of a quarter each, at most 1.5x in memory (default 16)')
    .option('--entry-cache-mb <MiB>', 'raft log entries held in memory; older ones are read from RocksDB (default 4)')
    .option('--parent-pid <pid>', 'exit when this process exits (the node always exits when its own parent does)')
    .option('--no-parent-watch', 'keep running after the parent process exits')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']).default('info'))
    .action(async (opts: RawNodeArgs & { logLevel: string; parentPid?: string; parentWatch: boolean }) => {
      const log = pino({ level: opts.logLevel, base: { pid: process.pid } })
      let node: RaftKvNode
      let parentPid: number | undefined
      try {
        parentPid = opts.parentPid === undefined ? undefined : positiveInt(opts.parentPid, '--parent-pid')
        // A storage failure inside the driver loop: raft and disk may disagree; exit hard.
        const onFatal = (): never => process.exit(70)
        node = new RaftKvNode(buildNodeConfig({ ...opts, token: process.env.RAFTKV_TOKEN }), log.child({ node: Number(opts.id) }), { onFatal, startup: processMarks(entry.modulesMs) })
      } catch (e) {
        if (e instanceof NodeConfigError) {
          process.stderr.write(`raftkv node: ${e.message}\n`)
          process.exit(2)
        }
        throw e
      }
      if ((process.env.RAFTKV_TOKEN ?? '').length < 16) log.warn({ event: 'weak-token' }, 'RAFTKV_TOKEN is shorter than 16 characters: anyone who guesses it can join or drive this cluster')
      let stopping = false
      const stop = (signal: string, forceAfterMs?: number): void => {
        if (forceAfterMs !== undefined) {
          // Orphaned: nobody waits for a clean stop, but the node must be gone soon.
          setTimeout(() => {
            log.warn({ event: 'node-stop-forced' }, `not stopped within ${forceAfterMs} ms: exiting`)
            process.exit(1)
          }, forceAfterMs).unref()
        }
        if (stopping) return
        stopping = true
        log.info({ event: 'node-stopping', signal }, 'stopping')
        node.stop().then(() => process.exit(0), (err: unknown) => {
          log.error({ err }, 'stop failed')
          process.exit(1)
        })
      }
      process.on('SIGTERM', () => stop('SIGTERM'))
      process.on('SIGINT', () => stop('SIGINT'))
      if (opts.parentWatch) {
        const watchOpts = parentPid === undefined ? {} : { parentPid }
        watchParent({ ...watchOpts, onParentGone: (why) => {
          log.warn({ event: 'parent-gone', why }, `${why}: stopping`)
          stop('parent-gone', FORCED_EXIT_MS)
        } })
      }
      try {
        await node.start()
      } catch (err) {
        log.fatal({ err }, 'node failed to start')
        process.exit(1)
      }
    })
}
