// bench:scale — a node's memory and disk as its data grows. Three real nodes (through
// the Controller, so with the Supervisor's malloc settings), 1 KiB values under unique
// keys, written in steps up to 100 MiB of live data (SCALE_GIB=1 adds a 1 GiB step). At
// each step: RSS per node under load (peak of 2 Hz samples) and idle (5 s after), the
// memory parts of one node's status (JS heap, Buffers, RocksDB memtables / block cache /
// table readers), each node's data dir, and the time for a node to restart to ready.
// Writes bench/results/scale.json and prints a table.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Controller } from '../main/index.js'
import type { ClusterView } from '../main/control/types.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const VALUE = 'v'.repeat(1024)
const STEPS_MIB = [25, 100, ...(process.env.SCALE_GIB === '1' ? [1024] : [])]
const IN_FLIGHT = 32

const rssMb = (pid: number | null): number => {
  if (!pid) return 0
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : 0
}
const duMb = (dir: string): number => Math.round(Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) / 1024)
const mb = (bytes: number | undefined): number => Math.round(((bytes ?? 0) / 1048576) * 10) / 10
const key = (i: number): string => `s${String(i).padStart(15, '0')}`

const work = mkdtempSync(join(tmpdir(), 'raftkv-scale-'))
const controller = new Controller({ appDataDir: work })
const rows: Array<Record<string, unknown>> = []
try {
  let view: ClusterView = await controller.launch({ nodes: 3, dataDir: join(work, 'cluster') })
  const pids = (): Array<number | null> => view.nodes.map((n) => n.process.pid)
  let written = 0
  for (const stepMib of STEPS_MIB) {
    const target = stepMib * 1024
    const peak = [0, 0, 0]
    const sampler = setInterval(() => pids().forEach((p, i) => { peak[i] = Math.max(peak[i]!, rssMb(p)) }), 500)
    const t0 = performance.now()
    let next = written
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < target) {
        const i = next++
        await controller.put({ key: key(i), value: VALUE })
      }
    }))
    written = target
    const writeS = (performance.now() - t0) / 1000
    clearInterval(sampler)
    await new Promise((r) => setTimeout(r, 5000))
    view = await controller.status()
    const idle = pids().map(rssMb)
    const counters = view.nodes.find((n) => n.id === view.leader)?.status?.counters ?? {}
    const dirs = view.nodes.map((n) => duMb(join(work, 'cluster', `n${n.id}`)))
    const r0 = performance.now()
    await controller.restart({ id: 3 })
    const restartMs = Math.round(performance.now() - r0)
    view = await controller.status()
    const row = {
      liveMiB: stepMib, keys: target, writeSeconds: +writeS.toFixed(1), putsPerSec: Math.round((target - (rows.length ? Number(rows.at(-1)!['keys']) : 0)) / writeS),
      rssUnderLoadMb: peak, rssIdleMb: idle, dataDirMb: dirs, restartToReadyMs: restartMs,
      leader: {
        heapUsedMb: mb(counters['memory.heapUsedBytes']), externalMb: mb(counters['memory.externalBytes']),
        memtablesMb: mb(counters['memory.rocksdb.memtablesBytes']), blockCacheMb: mb(counters['memory.rocksdb.blockCacheBytes']),
        tableReadersMb: mb(counters['memory.rocksdb.tableReadersBytes']), raftLogMb: mb(counters['storage.logBytes']),
      },
    }
    rows.push(row)
    console.log(`${stepMib} MiB: ${row.putsPerSec} puts/s; RSS load ${peak.join('/')} MB, idle ${idle.join('/')} MB; dirs ${dirs.join('/')} MB; restart ${restartMs} ms; leader parts ${JSON.stringify(row.leader)}`)
  }
  const budget = view.nodes[0]?.status?.counters ?? {}
  const result = {
    when: new Date().toISOString(),
    valueBytes: 1024,
    budget: { blockCacheMb: mb(budget['budget.blockCacheBytes']), memtableMb: mb(budget['budget.memtableBytes']), raftLogGcSizeLimitMb: mb(budget['budget.raftLogGcSizeLimit']) },
    steps: rows,
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true })
  writeFileSync(join(root, 'bench', 'results', 'scale.json'), JSON.stringify(result, null, 2) + '\n')
  console.log('\n| live data | RSS under load (MB) | RSS idle (MB) | data dir (MB) | restart to ready |')
  console.log('|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${String(r['liveMiB'])} MiB | ${(r['rssUnderLoadMb'] as number[]).join(' / ')} | ${(r['rssIdleMb'] as number[]).join(' / ')} | ${(r['dataDirMb'] as number[]).join(' / ')} | ${String(r['restartToReadyMs'])} ms |`)
} finally {
  await controller.shutdown().catch(() => undefined)
  rmSync(work, { recursive: true, force: true })
}
