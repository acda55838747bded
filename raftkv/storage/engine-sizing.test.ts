// RocksDB sized for a small node (issue 13): an empty data dir stays small (the WAL is
// preallocated after the write buffer size), memory figures come from RocksDB itself,
// and memtables stay inside their budget while data streams in.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ENGINE_DEFAULTS, Engine, WriteBatch } from './engine.js'
import { TempDirs } from './testing/temp-dirs.js'

const dirs = new TempDirs()
const opened: Engine[] = []
afterEach(async () => {
  for (const e of opened.splice(0)) await e.close()
  await dirs.cleanup()
})

/** Bytes on disk (allocated blocks: a preallocated WAL counts in full). */
function diskBytes(dir: string): number {
  let total = 0
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name))
    total += st.isDirectory() ? diskBytes(join(dir, name)) : st.blocks * 512
  }
  return total
}

describe('Engine sizing', () => {
  it('an empty database with one synced write takes under 10 MB on disk', async () => {
    const dir = await dirs.make()
    const e = await Engine.open(dir)
    opened.push(e)
    e.write(new WriteBatch().put(Buffer.from('k'), Buffer.from('v')), { sync: true })
    expect(diskBytes(dir)).toBeLessThan(10 * 1000 * 1000)
  })

  it('reports memtables, block cache and table readers, memtables inside 1.5 x their budget', async () => {
    const e = await Engine.open(await dirs.make(), { memtableBytes: 8 << 20, blockCacheBytes: 4 << 20 })
    opened.push(e)
    const value = Buffer.alloc(1024, 1)
    let peak = 0
    for (let i = 0; i < 24 * 1024; i += 256) {
      const batch = new WriteBatch()
      for (let j = i; j < i + 256; j++) batch.put(Buffer.from(`key${String(j).padStart(8, '0')}`), value)
      e.write(batch, { sync: false })
      peak = Math.max(peak, e.memory().memtablesBytes)
    }
    const m = e.memory()
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThanOrEqual(1.5 * (8 << 20) + (1 << 20))
    expect(m.blockCacheBytes).toBeLessThanOrEqual(4 << 20)
    expect(m.tableReadersBytes).toBeGreaterThanOrEqual(0)
    expect(ENGINE_DEFAULTS).toEqual({ blockCacheBytes: 8 << 20, memtableBytes: 16 << 20 })
  })
})
