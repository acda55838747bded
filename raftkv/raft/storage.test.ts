// MemoryStorage: the stable log raft reads, with the dummy entry at the snapshot's index.
import { describe, expect, it } from 'vitest'
import {
  ErrCompacted, ErrSnapOutOfDate, ErrUnavailable, MemoryStorage, RaftError, newMemoryStorageWithEnts,
  type Entry,
} from './index.js'
import { indexTerms } from './testing/helpers.js'

const e = (index: number, term: number): Entry => ({ index, term })
/** Entries 3..5 with terms 3..5: index 3 is the dummy (the last compacted entry). */
const base = (): Entry[] => [e(3, 3), e(4, 4), e(5, 5)]

describe('MemoryStorage', () => {
  it('starts with only the dummy entry at index 0, term 0', () => {
    const s = new MemoryStorage()
    expect(s.firstIndex()).toBe(1)
    expect(s.lastIndex()).toBe(0)
    expect(s.term(0)).toBe(0)
    expect(s.entries(1, 1)).toEqual([])
    expect(s.initialState().hardState).toEqual({ term: 0, vote: 0, commit: 0 })
  })

  it('term(i) answers for [firstIndex-1, lastIndex], ErrCompacted below, ErrUnavailable past', () => {
    const s = newMemoryStorageWithEnts(base())
    expect(() => s.term(2)).toThrow(ErrCompacted)
    expect(s.term(3)).toBe(3)
    expect(s.term(4)).toBe(4)
    expect(s.term(5)).toBe(5)
    expect(() => s.term(6)).toThrow(ErrUnavailable)
  })

  it('entries(lo, hi) returns [lo, hi) and refuses compacted or missing ranges', () => {
    const s = newMemoryStorageWithEnts([...base(), e(6, 6)])
    expect(() => s.entries(2, 6)).toThrow(ErrCompacted)
    // The dummy entry at 3 is not an entry one can read.
    expect(() => s.entries(3, 4)).toThrow(ErrCompacted)
    expect(indexTerms(s.entries(4, 5))).toEqual([[4, 4]])
    expect(indexTerms(s.entries(4, 6))).toEqual([[4, 4], [5, 5]])
    expect(indexTerms(s.entries(4, 7))).toEqual([[4, 4], [5, 5], [6, 6]])
    expect(() => s.entries(4, 8)).toThrow(ErrUnavailable)
  })

  it('throws the sentinel errors as typed RaftErrors with stable codes', () => {
    const s = newMemoryStorageWithEnts(base())
    let caught: unknown
    try {
      s.term(1)
    } catch (err) {
      caught = err
    }
    expect(caught).toBe(ErrCompacted)
    expect(caught).toBeInstanceOf(RaftError)
    expect((caught as RaftError).code).toBe('ErrCompacted')
  })

  it('firstIndex and lastIndex follow appends and compaction', () => {
    const s = newMemoryStorageWithEnts(base())
    expect(s.firstIndex()).toBe(4)
    expect(s.lastIndex()).toBe(5)
    s.append([e(6, 5)])
    expect(s.lastIndex()).toBe(6)
    s.compact(4)
    expect(s.firstIndex()).toBe(5)
    expect(s.lastIndex()).toBe(6)
  })

  describe('compact', () => {
    it('refuses an index at or below the dummy entry with ErrCompacted', () => {
      const s = newMemoryStorageWithEnts(base())
      expect(() => s.compact(2)).toThrow(ErrCompacted)
      expect(() => s.compact(3)).toThrow(ErrCompacted)
      expect(indexTerms(s.ents)).toEqual([[3, 3], [4, 4], [5, 5]])
    })

    it('keeps the compacted entry as the new dummy', () => {
      const s = newMemoryStorageWithEnts(base())
      s.compact(4)
      expect(indexTerms(s.ents)).toEqual([[4, 4], [5, 5]])
      expect(s.term(4)).toBe(4)
      s.compact(5)
      expect(indexTerms(s.ents)).toEqual([[5, 5]])
      expect(s.firstIndex()).toBe(6)
      expect(s.lastIndex()).toBe(5)
    })

    it('refuses an index past the last entry with a typed error and leaves the log alone', () => {
      const s = newMemoryStorageWithEnts(base())
      expect(() => s.compact(6)).toThrow(RaftError)
      expect(indexTerms(s.ents)).toEqual([[3, 3], [4, 4], [5, 5]])
    })
  })

  describe('createSnapshot', () => {
    const cs = { nodes: [1, 2, 3] }
    const data = new Uint8Array([1, 2, 3])

    it('records index, term, membership and data', () => {
      const s = newMemoryStorageWithEnts(base())
      const snap = s.createSnapshot(4, cs, data)
      expect(snap.metadata?.index).toBe(4)
      expect(snap.metadata?.term).toBe(4)
      expect(snap.metadata?.confState?.nodes).toEqual([1, 2, 3])
      expect(snap.data).toEqual(data)
      expect(s.snapshot()).toBe(snap)
      // The log is not compacted by taking a snapshot.
      expect(s.firstIndex()).toBe(4)
      expect(s.createSnapshot(5, cs, data).metadata?.term).toBe(5)
    })

    it('refuses an index not past the current snapshot with ErrSnapOutOfDate', () => {
      const s = newMemoryStorageWithEnts(base())
      expect(() => s.createSnapshot(3, cs, data)).toThrow(ErrSnapOutOfDate)
      s.createSnapshot(5, cs, data)
      expect(() => s.createSnapshot(4, cs, data)).toThrow(ErrSnapOutOfDate)
    })

    it('refuses an index past the last entry with a typed error', () => {
      const s = newMemoryStorageWithEnts(base())
      expect(() => s.createSnapshot(6, cs, data)).toThrow(RaftError)
    })

    it('keeps the previous membership when none is given', () => {
      const s = newMemoryStorageWithEnts(base())
      s.createSnapshot(4, cs, data)
      expect(s.createSnapshot(5, undefined, data).metadata?.confState?.nodes).toEqual([1, 2, 3])
    })
  })

  describe('append', () => {
    const cases: { name: string; ents: Entry[]; want: [number, number][] | 'error' }[] = [
      { name: 'entries all compacted: nothing changes', ents: [e(1, 1), e(2, 2)], want: [[3, 3], [4, 4], [5, 5]] },
      { name: 'the same entries again', ents: [e(3, 3), e(4, 4), e(5, 5)], want: [[3, 3], [4, 4], [5, 5]] },
      { name: 'conflicting terms replace the suffix', ents: [e(3, 3), e(4, 6), e(5, 6)], want: [[3, 3], [4, 6], [5, 6]] },
      { name: 'extends the log', ents: [e(3, 3), e(4, 4), e(5, 5), e(6, 5)], want: [[3, 3], [4, 4], [5, 5], [6, 5]] },
      { name: 'drops the compacted head of the incoming entries', ents: [e(2, 3), e(3, 3), e(4, 5)], want: [[3, 3], [4, 5]] },
      { name: 'truncates the existing entries after a conflict', ents: [e(4, 5)], want: [[3, 3], [4, 5]] },
      { name: 'appends right after the last entry', ents: [e(6, 5)], want: [[3, 3], [4, 4], [5, 5], [6, 5]] },
      { name: 'a gap after the last entry is refused', ents: [e(7, 5)], want: 'error' },
    ]
    for (const c of cases) {
      it(c.name, () => {
        const s = newMemoryStorageWithEnts(base())
        if (c.want === 'error') {
          expect(() => s.append(c.ents)).toThrow(RaftError)
          expect(indexTerms(s.ents)).toEqual([[3, 3], [4, 4], [5, 5]])
        } else {
          s.append(c.ents)
          expect(indexTerms(s.ents)).toEqual(c.want)
        }
      })
    }

    it('ignores an empty batch', () => {
      const s = newMemoryStorageWithEnts(base())
      s.append([])
      expect(s.lastIndex()).toBe(5)
    })
  })

  describe('applySnapshot', () => {
    const snap = (index: number, term: number) => ({
      data: new Uint8Array([9]), metadata: { index, term, confState: { nodes: [1, 2, 3] } },
    })

    it('replaces the log with the snapshot and exposes its membership', () => {
      const s = new MemoryStorage()
      s.append([e(1, 1), e(2, 1)])
      s.applySnapshot(snap(4, 4))
      expect(s.firstIndex()).toBe(5)
      expect(s.lastIndex()).toBe(4)
      expect(s.term(4)).toBe(4)
      expect(() => s.term(3)).toThrow(ErrCompacted)
      expect(s.initialState().confState.nodes).toEqual([1, 2, 3])
      expect(s.snapshot().metadata?.index).toBe(4)
    })

    it('refuses an older or equal snapshot with ErrSnapOutOfDate and keeps the newer one', () => {
      const s = new MemoryStorage()
      s.applySnapshot(snap(4, 4))
      expect(() => s.applySnapshot(snap(3, 3))).toThrow(ErrSnapOutOfDate)
      expect(() => s.applySnapshot(snap(4, 4))).toThrow(ErrSnapOutOfDate)
      expect(s.snapshot().metadata?.index).toBe(4)
      expect(s.lastIndex()).toBe(4)
    })

    it('accepts entries after the snapshot', () => {
      const s = new MemoryStorage()
      s.applySnapshot(snap(4, 4))
      s.append([e(5, 4), e(6, 5)])
      expect(indexTerms(s.entries(5, 7))).toEqual([[5, 4], [6, 5]])
    })
  })

  it('hands back the hard state it was given', () => {
    const s = new MemoryStorage()
    s.setHardState({ term: 3, vote: 2, commit: 1 })
    expect(s.initialState().hardState).toEqual({ term: 3, vote: 2, commit: 1 })
  })
})
