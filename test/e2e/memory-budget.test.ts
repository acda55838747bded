// A node's memory stays inside its budget after data is written (issue 13): three real
// nodes through the Controller, 32 MiB of live data (1 KiB values), then each node's RSS
// once idle and the budget's parts as its status reports them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Controller } from '../../main/index.js'

// Idle RSS with the defaults (8 MiB block cache, 16 MiB memtables) is measured at
// 110–140 MB at 100 MiB of data (bench/results/scale.json); the idle goal is 150 MB. The margin
// over it absorbs allocator noise, not a lost bound: the defaults before issue 13 idled
// at 270–420 MB with this much data.
const IDLE_BUDGET_MB = 150
const MARGIN_MB = 40
const KEYS = 32 * 1024
const VALUE = 'm'.repeat(1024)

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024

const work = mkdtempSync(join(tmpdir(), 'raftkv-membudget-'))
const controller = new Controller({ appDataDir: work })
afterAll(async () => {
  await controller.shutdown().catch(() => undefined)
  rmSync(work, { recursive: true, force: true })
})

describe('memory budget', () => {
  it('keeps every node under its idle budget after 32 MiB written, and reports the parts', async () => {
    await controller.launch({ nodes: 3 })
    let next = 0
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < KEYS) {
        const i = next++
        await controller.put({ key: `mb${String(i).padStart(14, '0')}`, value: VALUE })
      }
    }))
    expect(await controller.get({ key: `mb${String(KEYS - 1).padStart(14, '0')}` })).toBe(VALUE)

    // Idle: every node has applied everything (bounded polling, no fixed sleep).
    const deadline = Date.now() + 60_000
    let view = await controller.status()
    while (Date.now() < deadline) {
      view = await controller.status()
      const applied = view.nodes.map((n) => n.status?.appliedIndex ?? -1)
      if (applied.every((a) => a > 0 && a === applied[0])) break
      await new Promise((r) => setTimeout(r, 250))
    }
    await new Promise((r) => setTimeout(r, 2000)) // let flushes and compactions settle

    view = await controller.status()
    for (const node of view.nodes) {
      const c = node.status!.counters
      expect(c['budget.blockCacheBytes']).toBe(8 * 1024 * 1024)
      expect(c['budget.memtableBytes']).toBe(16 * 1024 * 1024)
      expect(c['budget.entryCacheBytes']).toBe(4 * 1024 * 1024)
      // RocksDB's own parts stay inside their settings.
      expect(c['memory.rocksdb.blockCacheBytes']!).toBeLessThanOrEqual(c['budget.blockCacheBytes']! * 1.1)
      expect(c['memory.rocksdb.memtablesBytes']!).toBeLessThanOrEqual(c['budget.memtableBytes']! * 1.5)
      // The raft log entries held in memory stay inside theirs (older ones are read from RocksDB).
      expect(c['memory.entryCacheBytes']).toBeTypeOf('number')
      expect(c['memory.entryCacheBytes']!).toBeLessThanOrEqual(c['budget.entryCacheBytes']!)
      const rss = rssMb(node.process.pid!)
      expect([node.id, Math.round(rss) <= IDLE_BUDGET_MB + MARGIN_MB, Math.round(rss)]).toEqual([node.id, true, Math.round(rss)])
    }
  }, 300_000)
})
