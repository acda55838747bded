import { describe, expect, it } from 'vitest'
import { EntryCache } from './entry-cache.js'

const ents = (from: number, to: number, term: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ index: from + i, term, data: Buffer.alloc(10) }))

describe('EntryCache', () => {
  it('appends, replaces a conflicting suffix and slices by index', () => {
    const c = new EntryCache(1)
    expect(c.lastIndex).toBe(0)
    c.append(ents(1, 5, 1))
    c.append(ents(4, 6, 2))
    expect(c.lastIndex).toBe(6)
    expect(c.slice(3, 7).map((e) => [e.index, e.term])).toEqual([[3, 1], [4, 2], [5, 2], [6, 2]])
    expect(c.byteSize).toBe(6 * 34)
  })

  it('refuses a gap or non-contiguous entries', () => {
    const c = new EntryCache(1)
    c.append(ents(1, 2, 1))
    expect(() => c.append(ents(4, 4, 1))).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    expect(() => c.append([{ index: 3, term: 1 }, { index: 5, term: 1 }])).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    expect(() => new EntryCache(5).append(ents(3, 6, 1))).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
  })

  it('compacts the front and resets', () => {
    const c = new EntryCache(11)
    c.append(ents(11, 20, 3))
    c.compactTo(15)
    expect(c.firstIndex).toBe(15)
    expect(c.length).toBe(6)
    expect(c.get(14)).toBeUndefined()
    expect(c.get(15)?.index).toBe(15)
    c.compactTo(12) // behind the front: nothing to do
    expect(c.firstIndex).toBe(15)
    c.reset(100)
    expect([c.firstIndex, c.lastIndex, c.byteSize]).toEqual([100, 99, 0])
  })

  it('holds the newest entries within its byte budget and reads older ones through the loader', () => {
    const loads: Array<[number, number]> = []
    const disk = new Map<number, { index: number; term: number; data: Buffer }>()
    // Each entry is 34 bytes (10 of data + 24); a 100-byte budget holds at most 2 after eviction to 75.
    const c = new EntryCache(1, 100, (lo, hi) => {
      loads.push([lo, hi])
      return Array.from({ length: hi - lo }, (_, i) => disk.get(lo + i)!)
    })
    for (let i = 1; i <= 10; i++) {
      const e = ents(i, i, 1)
      disk.set(i, e[0]!)
      c.append(e)
      expect(c.heldByteSize).toBeLessThanOrEqual(100)
    }
    expect([c.firstIndex, c.lastIndex, c.byteSize]).toEqual([1, 10, 10 * 34])
    expect(c.heldCount).toBeGreaterThan(0)
    expect(c.heldCount).toBeLessThan(10)
    const heldFrom = 11 - c.heldCount
    loads.length = 0
    expect(c.slice(heldFrom, 11).map((e) => e.index)).toEqual(Array.from({ length: c.heldCount }, (_, i) => heldFrom + i))
    expect(loads).toEqual([]) // the held tail is served from memory
    expect(c.slice(2, 11).map((e) => e.index)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(loads).toEqual([[2, heldFrom]])
    expect(c.get(3)?.index).toBe(3)
    // A conflicting suffix from below the held part replaces it; compaction past it too.
    c.append(ents(4, 5, 2))
    expect([c.lastIndex, c.byteSize, c.get(5)?.term]).toEqual([5, 5 * 34, 2])
    c.compactTo(5)
    expect([c.firstIndex, c.lastIndex, c.byteSize, c.get(5)?.term]).toEqual([5, 5, 34, 2])
  })
})
