// bench:kv — a 3-node cluster of real processes on loopback. Closed-loop clients at
// concurrency 1, 16 and 64: 10 s of puts (16-byte keys over 10,000 keys, 128-byte
// values), then 10 s of linearizable gets; throughput and p50/p99/max latency. Then the
// time from SIGKILL of the leader to the next successful put (5 trials), and each node's
// peak RSS. Writes bench/results/kv.json.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { LocalCluster, sleep } from '../test/harness/cluster.js'
import { runLoad, loadKey, type LoadReport } from '../raftkv/client/index.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number)

function peakRssMb(pid: number | undefined): number {
  if (!pid) return 0
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : 0
  } catch {
    return 0
  }
}

interface Row { ops: number; opsPerSec: number; p50Ms: number; p99Ms: number; maxMs: number; errors: Record<string, number> }

function row(r: LoadReport, f: 'put' | 'get'): Row {
  const op = r.operations[f]
  return { ops: op.ok, opsPerSec: Math.round(op.okPerSec), p50Ms: +op.latency.p50Ms.toFixed(2), p99Ms: +op.latency.p99Ms.toFixed(2), maxMs: +op.latency.maxMs.toFixed(2), errors: r.errors }
}

const cluster = await LocalCluster.start({ size: 3, tickMs: 100, electionTick: 10, heartbeatTick: 2 })
const peak = new Map<number, number>()
const notePeaks = (): void => {
  for (const [id, n] of cluster.nodes) peak.set(id, Math.max(peak.get(id) ?? 0, peakRssMb(n.proc?.pid)))
}
try {
  const puts: Record<string, Row> = {}
  const gets: Record<string, Row> = {}
  for (const c of concurrencies) {
    const r = await runLoad({ endpoints: cluster.endpoints, token: cluster.token, clients: c, durationMs: seconds * 1000, keys: 10_000, valueSize: 128, getRatio: 0 })
    puts[`c${c}`] = row(r, 'put')
    console.log(`put c=${c}: ${puts[`c${c}`]!.opsPerSec} ops/s  p50 ${puts[`c${c}`]!.p50Ms} ms  p99 ${puts[`c${c}`]!.p99Ms} ms  max ${puts[`c${c}`]!.maxMs} ms`)
    notePeaks()
  }
  for (const c of concurrencies) {
    const r = await runLoad({ endpoints: cluster.endpoints, token: cluster.token, clients: c, durationMs: seconds * 1000, keys: 10_000, valueSize: 128, getRatio: 1 })
    gets[`c${c}`] = row(r, 'get')
    console.log(`get c=${c}: ${gets[`c${c}`]!.opsPerSec} ops/s  p50 ${gets[`c${c}`]!.p50Ms} ms  p99 ${gets[`c${c}`]!.p99Ms} ms  max ${gets[`c${c}`]!.maxMs} ms`)
    notePeaks()
  }

  // Failover: SIGKILL the leader, time until a put succeeds again, restart it.
  const failoverMs: number[] = []
  const client = cluster.client({ timeoutMs: 30_000 })
  for (let trial = 0; trial < 5; trial++) {
    const lead = await cluster.waitForLeader()
    await client.put(loadKey(trial), 'warm')
    notePeaks()
    const t0 = performance.now()
    await cluster.kill(lead)
    await client.put(loadKey(trial), `after-kill-${trial}`)
    failoverMs.push(Math.round(performance.now() - t0))
    console.log(`failover trial ${trial + 1}: leader ${lead} killed, next put after ${failoverMs[failoverMs.length - 1]} ms`)
    await cluster.startNode(lead)
    await cluster.waitForLeader()
    await sleep(500)
  }
  await client.close()
  notePeaks()

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'kv.json')
  mkdirSync(dirname(out), { recursive: true })
  const result = {
    bench: 'kv', date: new Date().toISOString(), node: process.version, nodes: 3, secondsPerRun: seconds,
    keyBytes: 16, keySpace: 10_000, valueBytes: 128, puts, gets,
    failover: { trialsMs: failoverMs, meanMs: Math.round(failoverMs.reduce((a, b) => a + b, 0) / failoverMs.length), maxMs: Math.max(...failoverMs) },
    peakRssMb: Object.fromEntries(peak),
    reference: { etcd34: { putsOpsPerSec: { c1: 846, c16: 2995, c64: 4853 }, getsOpsPerSec: { c1: 1379, c16: 4249, c64: 6165 }, p99MsAt64: { put: 34.7, get: 28.0 } } },
  }
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n')
  console.log(`peak RSS (MB): ${JSON.stringify(result.peakRssMb)}; failover mean ${result.failover.meanMs} ms`)
  console.log(`wrote ${out}`)
} finally {
  await cluster.stop()
}
