// bench:check — the linearizability checker (raftkv/check) on the history it is made
// for: a checked workload of 30 s, 8 clients over 12 keys, with a kill nemesis (a node
// SIGKILLed every 5 s for 1.5 s), run through the Controller on a real 3-node cluster; then generated
// histories (8 clients × 12 keys, 30,000 ops; 64 clients on one key, 20,000 ops with
// in-doubt writes). Each check 5 times: median and max ms, ops/s; the NDJSON parse time.
// BENCH_HISTORY=file checks that history instead of recording one; BENCH_SECONDS
// changes the run. Writes bench/results/check.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkLinearizability, type HistoryEvent } from '../raftkv/check/index.js'
import { parseHistory } from '../raftkv/client/index.js'
import { Controller } from '../main/control/controller.js'
import type { WorkloadNotification } from '../main/control/types.js'
import { randomHistory } from '../test/support/random-history.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 30)
const REPEATS = 5

interface Figures { ops: number; keys: number; verdict: string; medianMs: number; maxMs: number; opsPerSec: number }

function bench(events: readonly HistoryEvent[]): Figures {
  const times: number[] = []
  let result = checkLinearizability(events)
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now()
    result = checkLinearizability(events)
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]!
  return { ops: result.operations, keys: result.keys, verdict: result.verdict, medianMs: +median.toFixed(1), maxMs: +times.at(-1)!.toFixed(1), opsPerSec: Math.round(result.operations / (median / 1000)) }
}

async function recordWorkload(): Promise<{ ndjson: string; workload: Record<string, unknown> }> {
  const appDataDir = mkdtempSync(join(tmpdir(), 'raftkv-bench-check-'))
  // The way the app runs it: a cluster launched by the Controller, a checked workload through the API.
  const control = new Controller({ appDataDir })
  try {
    await control.launch({ nodes: 3 })
    const spec = { clients: 8, durationMs: seconds * 1000, keys: 12, getRatio: 0.5, nemesis: [{ kind: 'kill' as const, everyMs: 5000, forMs: 1500 }] }
    const finished = new Promise<WorkloadNotification & { kind: 'finished' }>((resolve) => {
      control.subscribe('workload', (n) => { if (n.kind === 'finished') resolve(n) })
    })
    const { runId } = await control.startWorkload(spec)
    const done = await finished
    const kills = (await control.events()).filter((e) => e.kind === 'node-killed').length
    console.log(`workload ${runId}: ${done.ops} ops, ${done.errors} errors, ${kills} kills; in-run check ${done.verdict?.checkMs} ms: ${done.verdict?.outcome}`)
    return {
      ndjson: readFileSync(join(control.dataDir!, 'workloads', runId, 'history.ndjson'), 'utf8'),
      workload: { spec, ops: done.ops, errors: done.errors, kills, inRunCheckMs: done.verdict?.checkMs, outcome: done.verdict?.outcome },
    }
  } finally {
    await control.shutdown().catch(() => {})
    rmSync(appDataDir, { recursive: true, force: true })
  }
}

const recorded = process.env.BENCH_HISTORY === undefined ? await recordWorkload() : { ndjson: readFileSync(process.env.BENCH_HISTORY, 'utf8'), workload: { file: process.env.BENCH_HISTORY } }
const t0 = performance.now()
const events = parseHistory(recorded.ndjson)
const parseMs = +(performance.now() - t0).toFixed(1)
const real = bench(events)
console.log(`recorded history: ${real.ops} ops on ${real.keys} keys (${(recorded.ndjson.length / 1e6).toFixed(1)} MB NDJSON, parsed in ${parseMs} ms): ${real.verdict}, check median ${real.medianMs} ms (max ${real.maxMs}), ${real.opsPerSec.toLocaleString('en-US')} ops/s`)
const generated: Record<string, Figures> = {}
for (const [name, options] of [
  ['c8-k12-30000', { seed: 1, processes: 8, keys: 12, operations: 30_000, infoRate: 0.01 }],
  ['c64-k1-20000-info5%', { seed: 4, processes: 64, keys: 1, operations: 20_000, infoRate: 0.05 }],
] as const) {
  generated[name] = bench(randomHistory(options))
  const g = generated[name]!
  console.log(`generated ${name}: ${g.verdict}, median ${g.medianMs} ms (max ${g.maxMs}), ${g.opsPerSec.toLocaleString('en-US')} ops/s`)
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'check.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify({
  bench: 'check', date: new Date().toISOString(), node: process.version, repeats: REPEATS,
  // The machine is shared: its load average when the figures were taken says how far to trust them.
  loadAverage: loadavg().map((l) => +l.toFixed(1)),
  recorded: { ...recorded.workload, historyBytes: recorded.ndjson.length, parseMs, check: real },
  generated, targetMs: 2000,
}, null, 2) + '\n')
console.log(`wrote ${out}`)
