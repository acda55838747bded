import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { SnapshotFileEntry } from './snapshot-descriptor.js'
import { planChunks, readSlices } from './snapshot-files.js'
import { TempDirs } from './testing/temp-dirs.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

describe('readSlices', () => {
  it('yields exactly the planned chunks, in order, however the reads (up to 1 MiB of a file) cut the files', async () => {
    const dir = await dirs.make()
    // Sizes around the read size: past it, just under a chunk, a single byte, empty, and a
    // chunk size that does not divide 1 MiB (reads of 349 chunks, the last one shorter).
    const contents = new Map<string, Buffer>([
      ['000011.sst', randomBytes(2_600_000)], ['000012.sst', randomBytes(2999)], ['CURRENT', randomBytes(1)],
      ['EMPTY', Buffer.alloc(0)], ['MANIFEST-000005', randomBytes(1_047_001)],
    ])
    for (const [name, bytes] of contents) await writeFile(join(dir, name), bytes)
    const files: SnapshotFileEntry[] = [...contents].map(([name, b]) => ({ name, size: b.length, crc32: 0 }))
    for (const chunkBytes of [3000, 120 * 1024, 1 << 20, 3 << 20]) {
      const plan = planChunks(files, chunkBytes)
      const got: Buffer[] = []
      // Copied: the reader reuses its buffers.
      for await (const c of readSlices(dir, files, chunkBytes)) got.push(Buffer.from(c))
      expect(got.map((c) => c.length), `chunkBytes ${chunkBytes}`).toEqual(plan.map((p) => p.length))
      plan.forEach((p, i) => {
        const f = contents.get(files[p.file]!.name)!
        expect(got[i]!.equals(f.subarray(p.offset, p.offset + p.length)), `chunk ${i} of ${chunkBytes}`).toBe(true)
      })
    }
  })

  it('keeps a chunk intact until the one after it is asked for', async () => {
    const dir = await dirs.make()
    const bytes = randomBytes(6 << 20)
    await writeFile(join(dir, '000007.sst'), bytes)
    const files: SnapshotFileEntry[] = [{ name: '000007.sst', size: bytes.length, crc32: 0 }]
    let at = 0
    let n = 0
    for await (const c of readSlices(dir, files, 100_000)) {
      // Give the reads ahead (into the other buffers) time to land: this chunk must still hold its bytes.
      await new Promise((r) => setTimeout(r, 2))
      expect(c.equals(bytes.subarray(at, at + c.length)), `chunk ${n} at ${at}`).toBe(true)
      at += c.length
      n++
    }
    expect(at).toBe(bytes.length)
    expect(n).toBe(Math.ceil(bytes.length / 100_000))
  })
})
