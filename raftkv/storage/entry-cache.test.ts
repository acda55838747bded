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
})
