import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Engine, WriteBatch } from './engine.js'
import { TempDirs } from './testing/temp-dirs.js'

const dirs = new TempDirs()
const opened: Engine[] = []
afterEach(async () => {
  for (const e of opened.splice(0)) await e.close()
  await dirs.cleanup()
})

async function openEngine(dir?: string): Promise<Engine> {
  const e = await Engine.open(dir ?? (await dirs.make()))
  opened.push(e)
  return e
}

const b = (s: string): Buffer => Buffer.from(s)

describe('Engine', () => {
  it('writes batches atomically and reads them back synchronously', async () => {
    const e = await openEngine()
    e.write(new WriteBatch().put(b('a'), b('1')).put(b('b'), b('2')).put(b('c'), b('3')), { sync: true })
    e.write(new WriteBatch().delete(b('b')).put(b('a'), b('9')), { sync: false })
    expect(e.get(b('a'))).toEqual(b('9'))
    expect(e.get(b('b'))).toBeUndefined()
    expect(e.scan(b('a'), b('z')).map(([k, v]) => `${k}=${v}`)).toEqual(['a=9', 'c=3'])
    expect(e.scan(b('a'), b('z'), 1).map(([k]) => k.toString())).toEqual(['a'])
  })

  it('writes tables without trained ZSTD dictionaries (what kept compactions at ~13 MB/s)', async () => {
    const dir = await dirs.make()
    await (await Engine.open(dir)).close()
    // RocksDB records the options it ran with in OPTIONS-<n>; the column family's section follows the DB's.
    const name = readdirSync(dir).filter((f) => f.startsWith('OPTIONS-')).sort().pop()!
    const cf = readFileSync(join(dir, name), 'utf8').split('[CFOptions "default"]')[1]!
    const opt = (key: string): string | undefined => new RegExp(`^\\s*${key}=(.*)$`, 'm').exec(cf)?.[1]
    expect(opt('compression_opts')).toContain(';max_dict_bytes=0;')
    expect(opt('compression_opts')).toContain(';zstd_max_train_bytes=0;')
    // The binding's level-style settings stay: levels 0 and 1 plain, the rest ZSTD.
    expect(opt('compression_per_level')).toBe('kNoCompression:kNoCompression:kZSTD:kZSTD:kZSTD:kZSTD:kZSTD')
  })

  it('keeps what was written across close and reopen', async () => {
    const dir = await dirs.make()
    const e1 = await Engine.open(dir)
    e1.write(new WriteBatch().put(b('k'), b('v')), { sync: true })
    await e1.close()
    const e2 = await openEngine(dir)
    expect(e2.get(b('k'))).toEqual(b('v'))
  })

  it('iterates a point-in-time view: later writes are invisible to it', async () => {
    const e = await openEngine()
    const batch = new WriteBatch()
    for (let i = 0; i < 1000; i++) batch.put(b(`k${String(i).padStart(4, '0')}`), Buffer.alloc(100, i % 256))
    e.write(batch, { sync: false })
    const it = e.iterate(b('k'), b('l'), 10_000)
    e.write(new WriteBatch().put(b('k9999'), b('new')).delete(b('k0000')), { sync: false })
    const keys: string[] = []
    let batches = 0
    for (;;) {
      const rows = await it.next(100_000)
      if (rows.length === 0) break
      batches++
      for (const [k] of rows) keys.push(k.toString())
    }
    await it.close()
    expect(keys).toHaveLength(1000)
    expect(keys[0]).toBe('k0000')
    expect(keys).not.toContain('k9999')
    expect(batches).toBeGreaterThan(1) // the byte budget splits the reads
  })

  it('deletes a range with one call', async () => {
    const e = await openEngine()
    const batch = new WriteBatch()
    for (let i = 0; i < 100; i++) batch.put(b(`k${String(i).padStart(3, '0')}`), b('v'))
    e.write(batch, { sync: false })
    await e.deleteRange(b('k010'), b('k090'))
    const left = e.scan(b('k'), b('l')).map(([k]) => k.toString())
    expect(left).toHaveLength(20)
    expect(left).toContain('k009')
    expect(left).toContain('k090')
    expect(left).not.toContain('k010')
  })

  it('reports a closed engine with a typed error', async () => {
    const e = await openEngine()
    await e.close()
    expect(() => e.get(b('a'))).toThrow(expect.objectContaining({ code: 'StorageClosed' }))
    expect(() => e.write(new WriteBatch().put(b('a'), b('b')), { sync: true })).toThrow(expect.objectContaining({ code: 'StorageClosed' }))
  })
})
