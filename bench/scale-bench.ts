// bench:scale — a node's memory, disk and start-up as its data grows. Three real nodes
// (through the Controller, so with the Supervisor's malloc settings), 1 KiB values under
// unique keys, written in steps up to 100 MiB of live data (SCALE_GIB=1 adds a 1 GiB step)
// by 8 client connections with 64 puts in flight each. At each step:
// - RSS per node under load (peak of 2 Hz samples) and idle (once all applied, 5 s on);
// - where the memory went: each node's memory.* counters (JS heap, Buffers, RocksDB
//   memtables / block cache / table readers, raft log entry cache);
// - each node's data dir; the time for a follower to restart to ready;
// - snapshot catch-up (MiB/s of snapshot bytes, and of live data, per second from the start):
//   a follower stopped, its data dir wiped, started again, timed until it
//   has applied the leader's index by a snapshot (with the leader's generation (and its pause,
//   the engine closed to copy it) / transfer and the follower's apply times from their logs), sender and receiver peak RSS;
// - a full-range scan in pages of 1,000 pairs: time, pairs, the serving node's peak RSS.
// Before the first step: each node's data dir before anything is written.
// Writes bench/results/scale.json and prints a table.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { rssMb } from './lib/rss.js'
import { sleep } from './lib/target.js'
import { Controller } from '../main/index.js'
import type { ClusterView, LogLine } from '../main/control/types.js'
import { RaftKvClient } from '../raftkv/client/index.js'
import { loadAvg } from './lib/load-avg.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// Random 1 KiB values (a pool of 4,096: repeats are 4 MiB apart, beyond what RocksDB's block
// compression can see), so that 1 GiB of live data is 1 GiB on disk and on the wire.
// SCALE_VALUES=fixed writes one repeated byte instead (compresses ~3x), as stops before 2026-12-02 did.
const FIXED_VALUES = process.env.SCALE_VALUES === 'fixed'
const VALUES = FIXED_VALUES ? [Buffer.alloc(1024, 'v')] : Array.from({ length: 4096 }, () => randomBytes(1024))
// SCALE_STEPS_MIB=5,10 replaces the steps (a quick check of the bench itself).
const STEPS_MIB = process.env.SCALE_STEPS_MIB
  ? process.env.SCALE_STEPS_MIB.split(',').map(Number)
  : [25, 100, ...(process.env.SCALE_GIB === '1' ? [1024] : [])]
const CONNECTIONS = 8
const IN_FLIGHT_PER_CONNECTION = 64
const SCAN_PAGE = 1000
const TOKEN = randomBytes(16).toString('hex')

// du exits 1 when a file goes while it counts (a compaction deleting a table): its total still holds.
const duMb = (dir: string, decimals = 0): number => {
  const kb = Number(spawnSync('du', ['-sk', dir]).stdout.toString().split('\t')[0])
  return Math.round((kb / 1024) * 10 ** decimals) / 10 ** decimals
}
const mb = (bytes: number | undefined): number => Math.round(((bytes ?? 0) / 1048576) * 10) / 10
const key = (i: number): string => `s${String(i).padStart(15, '0')}`

/** Peak RSS of some processes, sampled every `ms` until stopped. */
function peakSampler(pids: () => Array<number | null | undefined>, ms = 500): { stop(): number[] } {
  const peak: number[] = []
  const sample = (): void => pids().forEach((p, i) => { peak[i] = Math.max(peak[i] ?? 0, rssMb(p)) })
  sample()
  const t = setInterval(sample, ms)
  return { stop: () => { clearInterval(t); sample(); return peak } }
}

const work = mkdtempSync(join(tmpdir(), 'raftkv-scale-'))
const events: Array<{ node: number; fields: Record<string, unknown> }> = []
const controller = new Controller({
  appDataDir: work, token: TOKEN,
  onLine: (l: LogLine) => { if (typeof l.fields['event'] === 'string' && String(l.fields['event']).startsWith('snapshot')) events.push({ node: l.node, fields: l.fields }) },
})
const rows: Array<Record<string, unknown>> = []
let view: ClusterView = await controller.launch({ nodes: 3, dataDir: join(work, 'cluster') })
const client = new RaftKvClient({ endpoints: view.nodes.map((n) => n.addr), token: TOKEN, timeoutMs: 60_000 })
const pidOf = (id: number): number | null | undefined => view.nodes.find((n) => n.id === id)?.process.pid
const statusOf = (id: number): Record<string, number> => view.nodes.find((n) => n.id === id)?.status?.counters ?? {}

/** Polls the cluster's view until `done` holds (bounded). */
async function waitView(what: string, done: (v: ClusterView) => boolean, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    view = await controller.status()
    if (done(view)) return
    if (Date.now() > deadline) throw new Error(`bench:scale: ${what} did not happen within ${timeoutMs} ms`)
    await sleep(250)
  }
}
const leaderId = (): number => view.leader ?? 0
const applied = (v: ClusterView, id: number): number => v.nodes.find((n) => n.id === id)?.status?.appliedIndex ?? -1

async function load(from: number, to: number): Promise<void> {
  const clients = Array.from({ length: CONNECTIONS }, () => new RaftKvClient({ endpoints: view.nodes.map((n) => n.addr), token: TOKEN, timeoutMs: 60_000 }))
  let next = from
  try {
    await Promise.all(clients.flatMap((c) => Array.from({ length: IN_FLIGHT_PER_CONNECTION }, async () => {
      while (next < to) {
        const i = next++
        await c.put(key(i), VALUES[i % VALUES.length]!)
      }
    })))
  } finally {
    await Promise.all(clients.map((c) => c.close()))
  }
}

/** Memory parts of one node's status, in MB. */
const parts = (c: Record<string, number>): Record<string, number> => ({
  rssMb: mb(c['memory.rssBytes']), heapUsedMb: mb(c['memory.heapUsedBytes']), heapTotalMb: mb(c['memory.heapTotalBytes']), externalMb: mb(c['memory.externalBytes']),
  memtablesMb: mb(c['memory.rocksdb.memtablesBytes']), blockCacheMb: mb(c['memory.rocksdb.blockCacheBytes']),
  tableReadersMb: mb(c['memory.rocksdb.tableReadersBytes']), entryCacheMb: mb(c['memory.entryCacheBytes']), raftLogMb: mb(c['storage.logBytes']),
})

/** A follower wiped and brought back by a snapshot: times, rate, RSS of both ends. */
async function snapshotCatchUp(liveMiB: number): Promise<Record<string, unknown>> {
  const lead = leaderId()
  const follower = view.nodes.map((n) => n.id).find((id) => id !== lead)!
  await controller.stop({ id: follower })
  rmSync(join(work, 'cluster', `n${follower}`), { recursive: true, force: true })
  await waitView('the leader applying everything', (v) => (v.nodes.find((n) => n.id === lead)?.status?.appliedIndex ?? 0) > 0)
  const target = applied(view, lead)
  const firstEvent = events.length
  const sampler = peakSampler(() => [pidOf(lead), pidOf(follower)], 250)
  const t0 = performance.now()
  await controller.start({ id: follower })
  // The applied index moves to the snapshot's as its apply starts: done is when the
  // follower has applied the snapshot (its counter, a fresh process's) and the index.
  await waitView('the wiped follower catching up', (v) => {
    const n = v.nodes.find((x) => x.id === follower)
    const s = n?.status
    // The new process's own status (the view may still hold the stopped one's).
    return !!s && s.pid === n?.process.pid && (s.snapshots?.applied ?? 0) >= 1 && applied(v, follower) >= target
  })
  const seconds = (performance.now() - t0) / 1000
  const [senderPeak, receiverPeak] = sampler.stop()
  // The log lines may trail the status a little.
  for (let i = 0; i < 100 && !events.slice(firstEvent).some((e) => e.node === follower && e.fields['event'] === 'snapshot-applied'); i++) await sleep(100)
  const seen = events.slice(firstEvent)
  const ev = (node: number, name: string): Record<string, unknown> | undefined => seen.filter((e) => e.node === node && e.fields['event'] === name).pop()?.fields
  const generated = ev(lead, 'snapshot-generated')
  const sent = ev(lead, 'snapshot-sent')
  const appliedEv = ev(follower, 'snapshot-applied')
  const bytes = Number(sent?.['bytes'] ?? generated?.['dataSize'] ?? 0)
  return {
    follower, seconds: +seconds.toFixed(2), snapshotMiB: mb(bytes), endToEndMBps: +(bytes / 1048576 / seconds).toFixed(1),
    liveMBps: +(liveMiB / seconds).toFixed(1),
    generateMs: generated?.['ms'] ?? null, pauseMs: generated?.['pauseMs'] ?? null, snapshotFiles: generated?.['files'] ?? null, transferMs: sent ? Math.round(Number(sent['ms'])) : null,
    transferMBps: sent ? +(Number(sent['rateBytesPerSec']) / 1048576).toFixed(1) : null, applyMs: appliedEv?.['ms'] ?? null,
    senderPeakRssMb: senderPeak, receiverPeakRssMb: receiverPeak,
  }
}

/** A full-range scan in pages; the serving node's RSS before and at its peak. */
async function fullScan(): Promise<Record<string, unknown>> {
  const lead = leaderId()
  const before = rssMb(pidOf(lead))
  const sampler = peakSampler(() => [pidOf(lead)], 250)
  const t0 = performance.now()
  let pairs = 0
  let bytes = 0
  for await (const page of client.scanPages('', '', { limit: SCAN_PAGE, timeoutMs: 60_000 })) {
    pairs += page.length
    for (const p of page) bytes += p.key.length + p.value.length
  }
  const seconds = (performance.now() - t0) / 1000
  const [peak] = sampler.stop()
  return { pairs, MiB: mb(bytes), seconds: +seconds.toFixed(2), MBps: +(bytes / 1048576 / seconds).toFixed(1), serverRssBeforeMb: before, serverPeakRssMb: peak }
}

/** Each node's data dir before anything is written (WAL preallocation, logs, the raft states). */
async function emptyDataDirs(): Promise<number[]> {
  await waitView('a leader', (v) => v.leader !== undefined && v.leader !== null)
  await sleep(2000)
  return view.nodes.map((n) => duMb(join(work, 'cluster', `n${n.id}`), 1))
}

try {
  const emptyDataDirMb = await emptyDataDirs()
  console.log(JSON.stringify({ emptyDataDirMb }))
  let written = 0
  for (const stepMib of STEPS_MIB) {
    const target = stepMib * 1024
    const loadAvgAtStart = loadAvg()
    const sampler = peakSampler(() => view.nodes.map((n) => n.process.pid))
    const t0 = performance.now()
    await load(written, target)
    const writeS = (performance.now() - t0) / 1000
    const putsPerSec = Math.round((target - written) / writeS)
    written = target
    const underLoad = sampler.stop()
    await waitView('every node applying everything', (v) => {
      const a = v.nodes.map((n) => n.status?.appliedIndex ?? -1)
      return a.every((x) => x > 0 && x === a[0])
    })
    await sleep(5000)
    view = await controller.status()
    const idle = view.nodes.map((n) => rssMb(n.process.pid))
    const memory = Object.fromEntries(view.nodes.map((n) => [`n${n.id}${n.id === leaderId() ? ' (leader)' : ''}`, parts(statusOf(n.id))]))
    const dirs = view.nodes.map((n) => duMb(join(work, 'cluster', `n${n.id}`)))
    const restartId = view.nodes.map((n) => n.id).find((id) => id !== leaderId())!
    const r0 = performance.now()
    await controller.restart({ id: restartId })
    const restartMs = Math.round(performance.now() - r0)
    view = await controller.status()
    const snapshot = await snapshotCatchUp(stepMib)
    const scan = await fullScan()
    const row = {
      liveMiB: stepMib, keys: target, loadAvgAtStart, writeSeconds: +writeS.toFixed(1), putsPerSec,
      rssUnderLoadMb: underLoad, rssIdleMb: idle, dataDirMb: dirs, restartToReadyMs: restartMs, snapshot, scan, memory,
      loadAvgAtEnd: loadAvg(),
    }
    rows.push(row)
    console.log(JSON.stringify(row))
  }
  const budget = view.nodes[0]?.status?.counters ?? {}
  const result = {
    bench: 'scale', when: new Date().toISOString(), node: process.version, valueBytes: 1024, values: FIXED_VALUES ? 'fixed' : 'random',
    load: { connections: CONNECTIONS, inFlightPerConnection: IN_FLIGHT_PER_CONNECTION }, emptyDataDirMb,
    budget: {
      blockCacheMb: mb(budget['budget.blockCacheBytes']), memtableMb: mb(budget['budget.memtableBytes']),
      entryCacheMb: mb(budget['budget.entryCacheBytes']), raftLogGcSizeLimitMb: mb(budget['budget.raftLogGcSizeLimit']),
    },
    steps: rows,
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true })
  writeFileSync(join(root, 'bench', 'results', 'scale.json'), JSON.stringify(result, null, 2) + '\n')
  console.log('\n| live data | puts/s | RSS under load (MB) | RSS idle (MB) | data dir (MB) | restart to ready | snapshot catch-up (gen [pause] / transfer / apply) | sender / receiver RSS | full scan | scan RSS before / peak | load avg |')
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows as Array<Record<string, unknown> & { rssUnderLoadMb: number[]; rssIdleMb: number[]; dataDirMb: number[]; loadAvgAtStart: number[] }>) {
    const s = r['snapshot'] as Record<string, unknown>
    const sc = r['scan'] as Record<string, unknown>
    console.log(`| ${String(r['liveMiB'])} MiB | ${String(r['putsPerSec'])} | ${r.rssUnderLoadMb.join(' / ')} | ${r.rssIdleMb.join(' / ')} | ${r.dataDirMb.join(' / ')} | ${String(r['restartToReadyMs'])} ms | ` +
      `${String(s['seconds'])} s, ${String(s['endToEndMBps'])} MB/s of snapshot, ${String(s['liveMBps'])} MiB/s of live data (${String(s['generateMs'])} [${String(s['pauseMs'])}] / ${String(s['transferMs'])} / ${String(s['applyMs'])} ms) | ${String(s['senderPeakRssMb'])} / ${String(s['receiverPeakRssMb'])} MB | ` +
      `${String(sc['seconds'])} s, ${String(sc['MBps'])} MB/s | ${String(sc['serverRssBeforeMb'])} / ${String(sc['serverPeakRssMb'])} MB | ${r.loadAvgAtStart.join(', ')} |`)
  }
  console.log(`\nempty data dir (MB, per node, before any write): ${emptyDataDirMb.join(' / ')}`)
  console.log('\nwhere the memory went (MB, idle, per node):')
  for (const r of rows) console.log(`${String(r['liveMiB'])} MiB: ${JSON.stringify(r['memory'])}`)
} finally {
  await client.close()
  await controller.shutdown().catch(() => undefined)
  rmSync(work, { recursive: true, force: true })
}
