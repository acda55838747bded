// raftkv load: the load generator (raftkv/client/load.ts) from the command line.
// Live ops/s go to stderr, the final report to stdout; Ctrl-C ends the run early.
import type { Command } from 'commander'
import { NdjsonHistoryFile } from '../client/index.js'
import { runLoad, type LoadProgress, type LoadReport } from '../client/index.js'
import { CliError } from './errors.js'
import { formatTable } from './format-table.js'
import { connectionOptions, durationFlag, nonNegativeIntOption, positiveIntOption, ratioOption, withConnectionOptions } from './options.js'

interface RawLoadOptions {
  endpoints?: string
  token?: string
  timeout: number
  clients: number
  duration: number
  keys: number
  keyPrefix: string
  valueSize: number
  getRatio: number
  deleteRatio: number
  history?: string
  json?: boolean
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

function progressLine(p: LoadProgress): string {
  return `[${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s] ${fmt(p.opsPerSec).padStart(8)} ops/s   done ${fmt(p.completed)}   fail ${fmt(p.fail)}   info ${fmt(p.info)}`
}

export function reportText(report: LoadReport): string {
  const rows = (['put', 'get', 'delete'] as const)
    .filter((f) => report.operations[f].count > 0)
    .map((f) => {
      const o = report.operations[f]
      return [f, fmt(o.count), fmt(o.ok), fmt(o.fail), fmt(o.info), fmt(o.okPerSec, 1), fmt(o.latency.p50Ms, 2), fmt(o.latency.p99Ms, 2), fmt(o.latency.maxMs, 2)]
    })
  const table = formatTable(['OP', 'COUNT', 'OK', 'FAIL', 'INFO', 'OK/S', 'P50 MS', 'P99 MS', 'MAX MS'], rows)
  const errors = Object.entries(report.errors).map(([code, n]) => `${code} ${fmt(n)}`).join(', ')
  return `${table}total: ${fmt(report.ok)} ok of ${fmt(report.completed)} in ${(report.durationMs / 1000).toFixed(2)} s with ${report.clients} clients: ${fmt(report.okPerSec, 1)} ok/s` +
    (errors === '' ? '' : `; errors: ${errors}`) + '\n'
}

export function registerLoadCommand(program: Command): void {
  withConnectionOptions(
    program.command('load')
      .description('closed-loop load: live ops/s, then throughput and p50/p99/max latency per operation')
      .option('--clients <n>', 'concurrent clients', positiveIntOption, 16)
      .addOption(durationFlag('--duration <duration>', 'how long to start new operations, e.g. 10s, 1m', '10s'))
      .option('--keys <n>', 'size of the key space (16-byte keys)', positiveIntOption, 10_000)
      .option('--key-prefix <text>', 'keys are PREFIX + digits, 16 bytes in all', 'k')
      .option('--value-size <bytes>', 'bytes per written value', nonNegativeIntOption, 128)
      .option('--get-ratio <r>', 'fraction of gets', ratioOption, 0.5)
      .option('--delete-ratio <r>', 'fraction of deletes (the rest are puts)', ratioOption, 0)
      .option('--history <file>', 'write a Jepsen-style NDJSON history of every operation to FILE')
      .option('--json', 'print the report as JSON'),
  ).action(async (raw: RawLoadOptions) => {
    const connection = connectionOptions(raw)
    if (raw.getRatio + raw.deleteRatio > 1) throw new CliError('USAGE', '--get-ratio and --delete-ratio add up to more than 1')
    const history = raw.history === undefined ? undefined : new NdjsonHistoryFile(raw.history)
    const controller = new AbortController()
    const onSignal = (): void => controller.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let report: LoadReport
    try {
      report = await runLoad({
        ...connection,
        clients: raw.clients,
        durationMs: raw.duration,
        keys: raw.keys,
        keyPrefix: raw.keyPrefix,
        valueSize: raw.valueSize,
        getRatio: raw.getRatio,
        deleteRatio: raw.deleteRatio,
        history,
        signal: controller.signal,
        onProgress: (p) => process.stderr.write(`${progressLine(p)}\n`),
      })
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await history?.close()
    }
    process.stdout.write(raw.json === true ? `${JSON.stringify(report, null, 2)}\n` : reportText(report))
    if (history !== undefined) process.stderr.write(`history: ${history.path}\n`)
    if (report.ok === 0) throw new CliError('FAILED', 'no operation succeeded')
  })
}
