// bench:trace — where a one-client put's time goes. A 3-node cluster (the Supervisor, the
// built node entry) with step tracing on (RAFTKV_TRACE_DIR, raftkv/server/step-trace.ts);
// a warm-up at 16 clients (TRACE_WARMUP_SECONDS, default 3: the JIT), then one client's
// puts for TRACE_SECONDS (default 5). The nodes write their traces when they stop; the
// breakdown (bench/lib/trace-breakdown.ts) covers the last TRACE_PUTS puts (default 1000)
// and is printed and written to bench/results/trace.json. TRACE_KEEP=1 keeps the traces.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runLoad } from '../raftkv/client/index.js'
import type { TraceFile } from '../raftkv/server/step-trace.js'
import { loadAvg } from './lib/load-avg.js'
import { startRaftkv } from './lib/raftkv-target.js'
import { breakdown } from './lib/trace-breakdown.js'

const warmupSeconds = Number(process.env.TRACE_WARMUP_SECONDS ?? 3)
const seconds = Number(process.env.TRACE_SECONDS ?? 5)
const lastPuts = Number(process.env.TRACE_PUTS ?? 1000)

const traceDir = mkdtempSync(join(tmpdir(), 'raftkv-trace-'))
// The Supervisor hands its environment to the nodes it starts.
process.env.RAFTKV_TRACE_DIR = traceDir
const loadAvgAtStart = loadAvg()
const rk = await startRaftkv({ tickMs: 100, electionTick: 10, heartbeatTick: 2 })
let opsPerSec = 0
try {
  await rk.waitForLeader()
  const common = { endpoints: rk.endpoints, token: rk.token, keys: 10_000, valueSize: 128, getRatio: 0 }
  if (warmupSeconds > 0) await runLoad({ ...common, clients: 16, durationMs: warmupSeconds * 1000 })
  const r = await runLoad({ ...common, clients: 1, durationMs: seconds * 1000 })
  opsPerSec = Math.round(r.operations.put.okPerSec)
  console.log(`one client: ${opsPerSec} puts/s, p50 ${r.operations.put.latency.p50Ms.toFixed(2)} ms`)
} finally {
  await rk.stop()
}
const files = readdirSync(traceDir).filter((f) => f.startsWith('trace-')).map((f) => JSON.parse(readFileSync(join(traceDir, f), 'utf8')) as TraceFile)
if (process.env.TRACE_KEEP === undefined) rmSync(traceDir, { recursive: true, force: true })
else console.log(`kept ${traceDir}`)
if (files.length !== 3) throw new Error(`expected a trace from each of the 3 nodes, got ${files.length}`)
const b = breakdown(files, lastPuts)
console.log(`\nsegment (${b.puts} puts) | median ms | p90 ms\n---|---|---`)
for (const row of b.rows) console.log(`${row.segment} | ${row.medianMs} | ${row.p90Ms}`)
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'trace.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify({
  bench: 'trace', date: new Date().toISOString(), node: process.version, warmupSeconds, seconds, opsPerSec,
  loadAvgAtStart, loadAvgAtEnd: loadAvg(), ...b,
}, null, 2) + '\n')
console.log(`wrote ${out}`)
