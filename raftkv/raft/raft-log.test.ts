// RaftLog as raft-api.md describes it: entries held over Storage, stable and unstable parts,
// committed / applied bookkeeping, compaction and a pending snapshot.
import { describe, expect, it } from 'vitest'
import { ErrCompacted, ErrUnavailable, MemoryStorage, MessageType } from './index.js'
import { bytes, indexTerms, newTestRaft, storageWithTerms } from './testing/helpers.js'

describe('RaftLog', () => {
  it('starts from Storage: entries, indexes, stabled, committed and applied', () => {
    const s = new MemoryStorage()
    s.applySnapshot({ metadata: { index: 3, term: 2, confState: { nodes: [1] } } })
    s.append([{ index: 4, term: 2 }, { index: 5, term: 3 }])
    s.setHardState({ term: 3, commit: 4 })
    const log = newTestRaft(1, undefined, 10, 1, s).raftLog
    expect(log.firstIndex()).toBe(4)
    expect(log.lastIndex()).toBe(5)
    expect(log.lastTerm()).toBe(3)
    expect(log.term(3)).toBe(2)
    expect(log.stabled).toBe(5)
    expect(log.committed).toBe(4)
    expect(log.applied).toBe(3)
    expect(indexTerms(log.allEntries())).toEqual([[4, 2], [5, 3]])
    expect(log.unstableEntries()).toEqual([])
    expect(indexTerms(log.nextEnts())).toEqual([[4, 2]])
  })

  it('term(i) throws ErrCompacted before the log and ErrUnavailable past it', () => {
    const s = storageWithTerms([1, 1, 2])
    s.compact(1)
    const log = newTestRaft(1, [1], 10, 1, s).raftLog
    expect(log.term(1)).toBe(1)
    expect(() => log.term(0)).toThrow(ErrCompacted)
    expect(() => log.term(4)).toThrow(ErrUnavailable)
  })

  it('new entries are unstable until marked stable; nextEnts holds committed, unapplied ones', () => {
    const r = newTestRaft(1, [1, 2], 10, 1)
    r.becomeCandidate()
    r.becomeLeader()
    r.step({ msgType: MessageType.MsgPropose, from: 1, to: 1, entries: [{ data: bytes('a') }, { data: bytes('b') }] })
    const log = r.raftLog
    expect(indexTerms(log.unstableEntries())).toEqual([[1, 1], [2, 1], [3, 1]])
    expect(log.nextEnts()).toEqual([])
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 2 })
    expect(log.committed).toBe(2)
    expect(indexTerms(log.nextEnts())).toEqual([[1, 1], [2, 1]])
    ;(log.storage as MemoryStorage).append(log.unstableEntries())
    log.stabled = 3
    log.applied = 2
    expect(log.unstableEntries()).toEqual([])
    expect(log.nextEnts()).toEqual([])
  })

  it('maybeCompact lets go of entries Storage compacted away', () => {
    const s = storageWithTerms([1, 1, 1, 1])
    s.setHardState({ term: 1, commit: 4 })
    const r = newTestRaft(1, [1], 10, 1, s, { applied: 4 })
    s.compact(3)
    r.raftLog.maybeCompact()
    expect(r.raftLog.firstIndex()).toBe(4)
    expect(indexTerms(r.raftLog.allEntries())).toEqual([[4, 1]])
    expect(r.raftLog.term(3)).toBe(1)
  })

  it('a pending snapshot stands in for the log until the application takes it', () => {
    const r = newTestRaft(1, [1, 2], 10, 1, storageWithTerms([1]))
    r.step({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 2, snapshot: { metadata: { index: 7, term: 2, confState: { nodes: [1, 2] } } } })
    const log = r.raftLog
    expect(log.pendingSnapshot?.metadata?.index).toBe(7)
    expect(log.firstIndex()).toBe(8)
    expect(log.lastIndex()).toBe(7)
    expect(log.term(7)).toBe(2)
    expect(() => log.term(6)).toThrow(ErrCompacted)
    expect(log.allEntries()).toEqual([])
  })
})
