// raftkv cluster up: a local cluster in the foreground, run by the Supervisor (main/), with
// the control API served in web mode on 127.0.0.1 (control-api.md, "Web mode wire").
// Prints the endpoints, the control URL and what happens (the leader as it changes);
// with --json every line is one JSON object: first {"kind":"ready", ...}, then one
// {"kind":"event", "event": ...} per cluster event. Ctrl-C (SIGINT) or SIGTERM stops
// every node (after writing the bundle when --export-on-exit is given).
import { Option, type Command } from 'commander'
import type { ClusterEvent, ClusterView, WebServer } from '../../main/index.js'
import { CliError } from './errors.js'
import { positiveIntOption } from './options.js'

interface RawUpOptions {
  nodes: number
  dir?: string
  dataDir?: string
  port: number
  exportOnExit?: string
  json?: boolean
}

/** The events a person watching the text output cares about (--json prints them all). */
const TEXT_EVENTS: ReadonlySet<string> = new Set([
  'cluster-shutdown', 'leader-changed', 'node-ready', 'node-exited', 'node-killed', 'node-paused', 'node-resumed', 'node-added', 'node-removed',
  'partition-set', 'healed', 'link-faults-set', 'conf-change', 'snapshot-done', 'snapshot-failed', 'workload-started', 'workload-finished', 'error',
])

function portOption(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError('USAGE', `--port: "${text}" is not a port (0 picks a free one)`)
  return n
}

export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('run a local cluster under the manager (headless, web mode)')
  cluster
    .command('up')
    .description('start a local cluster in the foreground and serve the control API on 127.0.0.1; Ctrl-C stops every node')
    .option('--nodes <n>', 'number of nodes (1..9)', positiveIntOption, 3)
    .option('--dir <dir>', "the cluster's folder (missing or empty; default: a fresh one under the temp folder)")
    .addOption(new Option('--data-dir <dir>', 'the same as --dir').hideHelp())
    .option('--port <port>', 'port of the control API and dashboard (0: a free port)', portOption, 0)
    .option('--export-on-exit <file>', 'write the export bundle (.tar.gz) there when stopping')
    .option('--json', 'one JSON object per line')
    .action(async (raw: RawUpOptions) => {
      await clusterUp(raw)
    })
}

async function clusterUp(raw: RawUpOptions): Promise<void> {
  // The manager is loaded only for this command: every other `raftkv` command starts without it.
  const { builtDashboardDir, Controller, ControlError, startWebServer } = await import('../../main/index.js')
  const json = raw.json === true
  const out = (line: string): void => { process.stdout.write(`${line}\n`) }
  const control = new Controller()
  let ready = false
  const backlog: ClusterEvent[] = []
  const printEvent = (e: ClusterEvent): void => {
    if (json) out(JSON.stringify({ kind: 'event', event: e }))
    else if (TEXT_EVENTS.has(e.kind)) out(describeEvent(e))
  }
  control.subscribe('event', (e) => (ready ? printEvent(e) : backlog.push(e)))

  const dataDir = raw.dir ?? raw.dataDir
  let view: ClusterView
  try {
    view = await control.launch({ nodes: raw.nodes, ...(dataDir === undefined ? {} : { dataDir }) })
  } catch (err) {
    if (err instanceof ControlError) throw new CliError(err.code === 'BAD_ARGUMENT' ? 'USAGE' : 'FAILED', `cluster up: ${err.code}: ${err.message}`)
    throw err
  }
  let web: WebServer
  try {
    web = await startWebServer({ api: control, port: raw.port, staticDir: builtDashboardDir(), secrets: () => [control.clusterToken] })
  } catch (err) {
    await control.shutdown()
    if (err instanceof ControlError) throw new CliError('FAILED', `cluster up: ${err.code}: ${err.message}`)
    throw err
  }
  const endpoints = view.nodes.map((n) => n.addr)
  if (json) {
    out(JSON.stringify({ kind: 'ready', url: web.url, control: web.controlUrl, token: web.token, endpoints }))
  } else {
    out(`cluster up: ${view.nodes.length} node(s) in ${control.dataDir ?? '?'}`)
    for (const n of view.nodes) out(`  node ${n.id}  ${n.addr}  pid ${n.process.pid ?? '-'}`)
    out(`control: ${web.url}`)
    out(`leader: ${view.leader === 0 ? 'none yet' : `node ${view.leader} (term ${view.term})`}`)
    out('Ctrl-C stops every node.')
  }
  ready = true
  for (const e of backlog.splice(0)) printEvent(e)

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })

  if (!json) out('stopping...')
  // The cluster may have been shut down (or another launched or attached) through the API meanwhile.
  const mode = (await control.status()).mode
  if (raw.exportOnExit !== undefined && mode !== 'none') {
    try {
      const bundle = await control.exportBundle({ path: raw.exportOnExit })
      out(json ? JSON.stringify({ kind: 'exported', path: bundle.path, bytes: bundle.bytes }) : `exported ${bundle.path} (${bundle.bytes} bytes)`)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      out(json ? JSON.stringify({ kind: 'error', message: `export failed: ${message}` }) : `export failed: ${message}`)
    }
  }
  await web.close()
  if (mode === 'local') await control.shutdown()
  else if (mode === 'attached') await control.detach()
  out(json ? JSON.stringify({ kind: 'stopped' }) : 'every node stopped')
}

function describeEvent(e: ClusterEvent): string {
  const time = new Date(e.timeMs).toISOString().slice(11, 23)
  const who = e.node === undefined ? '' : ` node ${e.node}`
  const term = e.term === undefined ? '' : ` term ${e.term}`
  const detail = Object.keys(e.detail).length === 0 ? '' : ` ${JSON.stringify(e.detail)}`
  if (e.kind === 'leader-changed') return `${time}  leader:${e.node === undefined ? ' none' : who}${term}`
  return `${time}  ${e.kind}${who}${term}${detail}`
}
