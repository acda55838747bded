// bench:kv — raftkv's 3-node cluster (started by the Supervisor from the built node entry)
// and, when the system has etcd, a 3-member etcd on loopback, in one run, same workload:
// after a warm-up (BENCH_WARMUP_SECONDS, 3 s of puts and 3 s of gets at 16 clients),
// closed-loop clients at concurrency 1, 16 and 64, 10 s of puts (16-byte keys over 10,000
// keys, 128-byte values), then 10 s of linearizable gets; then node start-to-ready, RSS
// idle and loaded, and failover by SIGKILL and by SIGSTOP of the leader (median of 5 each,
// time to the first successful put); last, 100,000 more keys written and RSS again.
// Election timeout 1 s, heartbeat 200 ms on both. Each restart waits until the members
// use under 5% of a CPU (they flush and compact the load's writes for a while).
// raftkv's start-to-ready is also broken down into the phases its node-ready line
// reports (raftkv/server/startup-marks.ts).
// With etcd, first both clusters run side by side for one-client puts taken in turns
// (BENCH_TURNS turns of BENCH_TURN_SECONDS each, raftkv then etcd): one-client latency
// drifts with this shared machine by more than the two stores differ (the same code gave
// 380-556 ops/s minutes apart), and turns give both the same drift. Each turn also records
// the disk's flushes (count and mean time, /proc/diskstats) and the client's CPU per put:
// a put waits for about two flushes in series, and a flush's time drifts the most.
// Prints the table with ratios (raftkv / etcd), writes bench/results/kv.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadAvg } from './lib/load-avg.js'
import { runLoad, type LoadReport } from '../raftkv/client/index.js'
import { startRaftkv } from './lib/raftkv-target.js'
import { etcdVersion, startEtcd } from './lib/etcd-target.js'
import { etcdLoad } from './lib/etcd-load.js'
import { diskPerOp, type DiskPerOp } from './lib/disk-stats.js'
import { readDiskCounters } from './lib/disk-stats-reader.js'
import { measureFailover } from './lib/failover.js'
import { median, sleep, type BenchTarget } from './lib/target.js'
import { rssMb } from './lib/rss.js'
import { waitCpuIdle } from './lib/cpu-idle.js'
import { fillKeys } from './lib/fill-keys.js'
import { startupBreakdown, type StartupBreakdown } from './lib/startup-breakdown.js'
import type { StartupMarks } from '../raftkv/server/startup-marks.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
/**
 * Before the first measured row, both stores take this long of puts, then of gets, at 16
 * clients: a JIT-compiled node serves its first seconds from unoptimized code (measured:
 * one-client puts 20-30% slower over the first 6 s), which no figure below is about.
 */
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number)
const trials = Number(process.env.BENCH_FAILOVER_TRIALS ?? 5)
const fillCount = Number(process.env.BENCH_FILL_KEYS ?? 100_000)
const turns = Number(process.env.BENCH_TURNS ?? 4)
const turnSeconds = Number(process.env.BENCH_TURN_SECONDS ?? 5)
const KEYS = 10_000
const VALUE = 128

interface Row { opsPerSec: number; p50Ms: number; p99Ms: number; maxMs: number; errors: number }
interface Figures {
  puts: Record<string, Row>
  gets: Record<string, Row>
  startToReadyMs: number[]
  rssIdleMb: number[]
  rssLoadedMb: number[]
  /** RSS 2 s after the load ended (what stays). */
  rssLoadedIdleMb: number[]
  /** RSS 2 s after fillCount more keys (16-byte keys, 128-byte values) were written, after the failover trials. */
  rssFilledMb: number[]
  filledKeys: number
  /** raftkv: the restarts' start-up phases (medians, ms), from the nodes' node-ready lines. */
  startupBreakdownMs?: StartupBreakdown
  failover: Record<'SIGKILL' | 'SIGSTOP', { trialsMs: number[]; medianMs: number }>
}

function row(r: LoadReport, f: 'put' | 'get'): Row {
  const op = r.operations[f]
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0)
  return { opsPerSec: Math.round(op.okPerSec), p50Ms: +op.latency.p50Ms.toFixed(2), p99Ms: +op.latency.p99Ms.toFixed(2), maxMs: +op.latency.maxMs.toFixed(2), errors }
}

const log = (s: string): void => console.log(s)

async function measure(t: BenchTarget, load: (clients: number, op: 'put' | 'get', ms: number) => Promise<Row>): Promise<Figures> {
  const pids = (): number[] => t.members().map((id) => rssMb(t.pidOf(id)))
  await sleep(1000)
  const rssIdleMb = pids()
  log(`${t.name}: RSS idle (MiB) ${rssIdleMb.join(' ')}`)
  if (warmupSeconds > 0) {
    for (const op of ['put', 'get'] as const) await load(16, op, warmupSeconds * 1000)
    log(`${t.name}: warmed up (${warmupSeconds} s of puts, then of gets, 16 clients)`)
  }
  const puts: Record<string, Row> = {}
  const gets: Record<string, Row> = {}
  for (const op of ['put', 'get'] as const) {
    for (const c of concurrencies) {
      const r = await load(c, op, seconds * 1000)
      ;(op === 'put' ? puts : gets)[`c${c}`] = r
      log(`${t.name} ${op} c=${c}: ${r.opsPerSec} ops/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  errors ${r.errors}`)
    }
  }
  const rssLoadedMb = pids()
  log(`${t.name}: RSS after the load (MiB) ${rssLoadedMb.join(' ')}`)
  await sleep(2000)
  const rssLoadedIdleMb = pids()
  log(`${t.name}: RSS 2 s after the load (MiB) ${rssLoadedIdleMb.join(' ')}`)
  // Start-to-ready: a follower killed and started again (it reopens its data and rejoins).
  const startToReadyMs: number[] = []
  const restartMarks: StartupMarks[] = []
  for (let i = 0; i < 3; i++) {
    const lead = await t.waitForLeader()
    const id = t.members().find((m) => m !== lead)!
    // On a quiet cluster: not while the members still flush and compact the load above.
    const quiet = await waitCpuIdle(t.members().map((m) => t.pidOf(m) ?? 0).filter((p) => p > 0))
    if (!quiet.idle) log(`${t.name}: members still busy after ${quiet.waitedMs} ms; restarting anyway`)
    await t.kill(id)
    const t0 = performance.now()
    await t.start(id)
    startToReadyMs.push(Math.round(performance.now() - t0))
    const marks = t.lastStartupMarks?.(id)
    if (marks) restartMarks.push(marks)
    log(`${t.name}: node ${id} start to ready ${startToReadyMs[startToReadyMs.length - 1]} ms (the cluster quiet after ${quiet.waitedMs} ms)`)
    await t.waitForLeader()
  }
  const kill = await measureFailover(t, 'SIGKILL', trials, log)
  const stop = await measureFailover(t, 'SIGSTOP', trials, log)
  const startup = restartMarks.length === startToReadyMs.length ? startupBreakdown(startToReadyMs, restartMarks) : undefined
  if (startup) log(`${t.name}: start-up phases, median ms: ${JSON.stringify(startup)}`)
  await t.waitForLeader()
  const filledKeys = await fillKeys(t, fillCount)
  await sleep(2000)
  const rssFilledMb = pids()
  log(`${t.name}: RSS 2 s after ${filledKeys} more keys (MiB) ${rssFilledMb.join(' ')}`)
  return {
    puts, gets, startToReadyMs, rssIdleMb, rssLoadedMb, rssLoadedIdleMb, rssFilledMb, filledKeys,
    ...(startup ? { startupBreakdownMs: startup } : {}), failover: { SIGKILL: kill, SIGSTOP: stop },
  }
}

const timing = { tickMs: 100, electionTick: 10, heartbeatTick: 2 }
const result: Record<string, unknown> = {
  bench: 'kv', date: new Date().toISOString(), node: process.version, nodes: 3, secondsPerRun: seconds, warmupSeconds,
  keyBytes: 16, keySpace: KEYS, valueBytes: VALUE, electionTimeoutMs: 1000, heartbeatMs: 200, loadAvgAtStart: loadAvg(),
}

/** Per turn, what the disk did (writes and flushes per put, ms per flush) and the client's CPU per put (ms, user + system). */
interface TurnSide { disk?: DiskPerOp; clientCpuMsPerPut: number }
interface Turns {
  raftkvOpsPerSec: number[]; etcdOpsPerSec: number[]; raftkvOps: number; etcdOps: number; ratio: number
  raftkvTurns: TurnSide[]; etcdTurns: TurnSide[]
}

const rkLoad = (t: Awaited<ReturnType<typeof startRaftkv>>) => async (clients: number, op: 'put' | 'get', ms: number): Promise<Row> => row(await runLoad({
  endpoints: t.endpoints, token: t.token, clients, durationMs: ms, keys: KEYS, valueSize: VALUE, getRatio: op === 'get' ? 1 : 0,
}), op)
const etLoad = (t: Awaited<ReturnType<typeof startEtcd>>) => async (clients: number, op: 'put' | 'get', ms: number): Promise<Row> => {
  const lead = await t.waitForLeader()
  return etcdLoad(t.endpoints[t.members().indexOf(lead)]!, { clients, durationMs: ms, keys: KEYS, valueSize: VALUE, op })
}

/** One-client puts in turns, both clusters up (each idle while the other runs), after a warm-up of both. */
async function putsInTurns(): Promise<Turns> {
  const rk = await startRaftkv(timing)
  try {
    const et = await startEtcd({ electionMs: 1000, heartbeatMs: 200 })
    try {
      await rk.waitForLeader()
      const a = rkLoad(rk)
      const b = etLoad(et)
      for (const op of ['put', 'get'] as const) for (const load of [a, b]) await load(16, op, Math.max(1, warmupSeconds) * 1000)
      const r: Turns = { raftkvOpsPerSec: [], etcdOpsPerSec: [], raftkvOps: 0, etcdOps: 0, ratio: 0, raftkvTurns: [], etcdTurns: [] }
      /** One side's turn, with the disk's counters and this process's CPU (the client) around it. */
      const turn = async (load: typeof a): Promise<[Row, TurnSide]> => {
        const disk0 = readDiskCounters()
        const cpu0 = process.cpuUsage()
        const row = await load(1, 'put', turnSeconds * 1000)
        const cpu = process.cpuUsage(cpu0)
        const disk1 = readDiskCounters()
        const puts = row.opsPerSec * turnSeconds
        const disk = disk0 && disk1 ? diskPerOp(disk0, disk1, puts) : undefined
        return [row, { ...(disk ? { disk } : {}), clientCpuMsPerPut: puts > 0 ? +((cpu.user + cpu.system) / 1000 / puts).toFixed(3) : 0 }]
      }
      const side = (t: TurnSide): string => `${t.disk ? `${t.disk.flushesPerOp} flushes/put of ${t.disk.msPerFlush} ms, ` : ''}client CPU ${t.clientCpuMsPerPut} ms/put`
      for (let i = 0; i < turns; i++) {
        const [x, xs] = await turn(a)
        const [y, ys] = await turn(b)
        r.raftkvOpsPerSec.push(x.opsPerSec)
        r.etcdOpsPerSec.push(y.opsPerSec)
        r.raftkvTurns.push(xs)
        r.etcdTurns.push(ys)
        log(`turn ${i + 1}: puts c=1 raftkv ${x.opsPerSec} ops/s (p50 ${x.p50Ms} ms; ${side(xs)}), etcd ${y.opsPerSec} ops/s (p50 ${y.p50Ms} ms; ${side(ys)})`)
      }
      r.raftkvOps = r.raftkvOpsPerSec.reduce((s, v) => s + v * turnSeconds, 0)
      r.etcdOps = r.etcdOpsPerSec.reduce((s, v) => s + v * turnSeconds, 0)
      r.ratio = +(r.raftkvOps / r.etcdOps).toFixed(2)
      return r
    } finally {
      await et.stop()
    }
  } finally {
    await rk.stop()
  }
}

const version = etcdVersion()
let inTurns: Turns | undefined
if (version !== undefined && turns > 0) {
  inTurns = await putsInTurns()
  result.putsC1InTurns = { turns, turnSeconds, ...inTurns }
}

const rk = await startRaftkv(timing)
let raftkv: Figures
try {
  raftkv = await measure(rk, rkLoad(rk))
} finally {
  await rk.stop()
}
result.raftkv = raftkv

let etcd: Figures | undefined
if (version === undefined) {
  log('etcd is not installed (apt-get install etcd-server): raftkv figures only')
} else {
  const et = await startEtcd({ electionMs: 1000, heartbeatMs: 200 })
  try {
    etcd = await measure(et, etLoad(et))
  } finally {
    await et.stop()
  }
  result.etcd = { version, client: 'gRPC (@grpc/grpc-js), one channel to the leader', ...etcd }
}
result.loadAvgAtEnd = loadAvg()

// The table: raftkv, etcd, ratio (higher is better for raftkv: ops/s ratio, and etcd/raftkv for times).
const fmt = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : String(v))
const ratio = (a: number, b: number | undefined): string => (b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`)
const lines: string[] = ['', `figure | raftkv | etcd ${version ?? '(not installed)'} | ratio`, '---|---|---|---']
for (const op of ['puts', 'gets'] as const) {
  for (const c of concurrencies) {
    const a = raftkv[op][`c${c}`]!
    const b = etcd?.[op][`c${c}`]
    lines.push(`${op} c=${c} ops/s | ${a.opsPerSec} | ${fmt(b?.opsPerSec)} | ${ratio(a.opsPerSec, b?.opsPerSec)}`)
    lines.push(`${op} c=${c} p50 / p99 ms | ${a.p50Ms} / ${a.p99Ms} | ${fmt(b?.p50Ms)} / ${fmt(b?.p99Ms)} | ${ratio(a.p99Ms, b?.p99Ms)} (p99)`)
  }
}
if (inTurns) {
  lines.push(`puts c=1 ops/s, in ${turns} turns of ${turnSeconds} s (both up) | ${inTurns.raftkvOpsPerSec.join(' ')} | ${inTurns.etcdOpsPerSec.join(' ')} | ${inTurns.ratio.toFixed(2)}x`)
  const flushMs = (ts: TurnSide[]): string => ts.map((t) => t.disk?.msPerFlush ?? '-').join(' ')
  lines.push(`  in those turns: ms per disk flush | ${flushMs(inTurns.raftkvTurns)} | ${flushMs(inTurns.etcdTurns)} | -`)
  lines.push(`  in those turns: client CPU ms per put | ${inTurns.raftkvTurns.map((t) => t.clientCpuMsPerPut).join(' ')} | ${inTurns.etcdTurns.map((t) => t.clientCpuMsPerPut).join(' ')} | -`)
}
for (const k of ['SIGKILL', 'SIGSTOP'] as const) {
  const a = raftkv.failover[k]
  const b = etcd?.failover[k]
  lines.push(`leader ${k} -> first put, median ms (trials) | ${a.medianMs} (${a.trialsMs.join(' ')}) | ${fmt(b?.medianMs)}${b ? ` (${b.trialsMs.join(' ')})` : ''} | ${ratio(a.medianMs, b?.medianMs)}`)
}
lines.push(`node start to ready, median ms | ${median(raftkv.startToReadyMs)} (${raftkv.startToReadyMs.join(' ')}) | ${etcd ? `${median(etcd.startToReadyMs)} (${etcd.startToReadyMs.join(' ')})` : '-'} | ${ratio(median(raftkv.startToReadyMs), etcd ? median(etcd.startToReadyMs) : undefined)}`)
lines.push(`RSS idle MiB (per node) | ${raftkv.rssIdleMb.join(' ')} | ${etcd?.rssIdleMb.join(' ') ?? '-'} | ${ratio(median(raftkv.rssIdleMb), etcd ? median(etcd.rssIdleMb) : undefined)}`)
lines.push(`RSS after load MiB | ${raftkv.rssLoadedMb.join(' ')} | ${etcd?.rssLoadedMb.join(' ') ?? '-'} | ${ratio(median(raftkv.rssLoadedMb), etcd ? median(etcd.rssLoadedMb) : undefined)}`)
lines.push(`RSS 2 s after load MiB | ${raftkv.rssLoadedIdleMb.join(' ')} | ${etcd?.rssLoadedIdleMb.join(' ') ?? '-'} | ${ratio(median(raftkv.rssLoadedIdleMb), etcd ? median(etcd.rssLoadedIdleMb) : undefined)}`)
lines.push(`RSS after ${raftkv.filledKeys} more keys MiB | ${raftkv.rssFilledMb.join(' ')} | ${etcd?.rssFilledMb.join(' ') ?? '-'} | ${ratio(median(raftkv.rssFilledMb), etcd ? median(etcd.rssFilledMb) : undefined)}`)
if (raftkv.startupBreakdownMs) lines.push(`raftkv start-to-ready phases, median ms | ${Object.entries(raftkv.startupBreakdownMs).map(([k, v]) => `${k} ${v}`).join(', ')} | - | -`)
lines.push(`(times and RSS: ratio raftkv / etcd, lower is better; load average ${JSON.stringify(result.loadAvgAtStart)} -> ${JSON.stringify(result.loadAvgAtEnd)})`)
log(lines.join('\n'))

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'kv.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify(result, null, 2) + '\n')
log(`wrote ${out}`)
