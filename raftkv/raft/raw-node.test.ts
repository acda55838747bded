// RawNode / Ready / advance (etcd-raft doc.go "Usage"): the application's only handle
// on raft. A Ready says what to persist, what to send (only after persisting) and what to
// apply; advance() acknowledges it, and nothing is handed out twice.
import { describe, expect, it } from 'vitest'
import {
  ErrStepLocalMsg, ErrStepPeerNotFound, MemoryStorage, MessageType, RawNode, StateType,
  isEmptyHardState, isEmptySnap, type Entry, type Ready,
} from './index.js'
import { bytes, indexTerms, newTestConfig, ofType } from './testing/helpers.js'

/** Does what an application does with a Ready (persist, then apply), returning what it applied. */
function handle(rn: RawNode, s: MemoryStorage, rd: Ready): Entry[] {
  if (!isEmptySnap(rd.snapshot)) s.applySnapshot(rd.snapshot)
  s.append(rd.entries)
  if (!isEmptyHardState(rd.hardState)) s.setHardState(rd.hardState)
  rn.advance(rd)
  return rd.committedEntries
}

function drain(rn: RawNode, s: MemoryStorage): Entry[] {
  const applied: Entry[] = []
  for (let i = 0; i < 100 && rn.hasReady(); i++) applied.push(...handle(rn, s, rn.ready()))
  return applied
}

describe('RawNode and Ready', () => {
  it('a new node has nothing to do', () => {
    const rn = new RawNode(newTestConfig(1, [1, 2, 3], 10, 1, new MemoryStorage()))
    expect(rn.hasReady()).toBe(false)
  })

  it('a single node campaigns, persists its term and vote, and commits its no-op', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, s))
    rn.campaign()
    expect(rn.hasReady()).toBe(true)
    const rd = rn.ready()
    expect(rd.softState).toEqual({ lead: 1, raftState: StateType.Leader })
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 1 })
    expect(indexTerms(rd.entries)).toEqual([[1, 1]])
    expect(indexTerms(rd.committedEntries)).toEqual([[1, 1]])
    expect(rd.messages).toEqual([])
    handle(rn, s, rd)
    expect(rn.hasReady()).toBe(false)
    // Nothing changed: an empty hard state, no soft state.
    const again = rn.ready()
    expect(isEmptyHardState(again.hardState)).toBe(true)
    expect(again.softState).toBeUndefined()
    expect(again.entries).toEqual([])
    expect(again.committedEntries).toEqual([])
  })

  it('a campaign in a cluster hands out the vote requests with the hard state that must be persisted first', () => {
    const rn = new RawNode(newTestConfig(1, [1, 2, 3], 10, 1, new MemoryStorage()))
    rn.campaign()
    const rd = rn.ready()
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 })
    expect(rd.softState?.raftState).toBe(StateType.Candidate)
    expect(ofType(rd.messages, MessageType.MsgRequestVote).map((m) => m.to).sort()).toEqual([2, 3])
  })

  it('a proposal comes out once as an entry to persist, then once as a committed entry to apply', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, s))
    rn.campaign()
    drain(rn, s)
    rn.propose(bytes('somedata'))
    const rd = rn.ready()
    expect(rd.entries.map((e) => new TextDecoder().decode(e.data ?? new Uint8Array()))).toEqual(['somedata'])
    expect(rd.committedEntries.map((e) => e.index)).toEqual([2])
    handle(rn, s, rd)
    expect(rn.hasReady()).toBe(false)
    expect(s.lastIndex()).toBe(2)
    expect(rn.raft.raftLog.applied).toBe(2)
    expect(rn.raft.raftLog.stabled).toBe(2)
  })

  it('a leader\'s Ready carries every entry its appends refer to, for persisting before they are sent', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1, 2, 3], 10, 1, s))
    rn.campaign()
    handle(rn, s, rn.ready())
    for (const from of [2, 3]) rn.step({ msgType: MessageType.MsgRequestVoteResponse, from, to: 1, term: 1 })
    expect(rn.raft.state).toBe(StateType.Leader)
    rn.propose(bytes('a'))
    rn.propose(bytes('b'))
    const rd = rn.ready()
    const toPersist = new Set(rd.entries.map((e) => `${e.index}@${e.term}`))
    const apps = ofType(rd.messages, MessageType.MsgAppend)
    expect(apps.length).toBeGreaterThan(0)
    for (const m of apps) for (const e of m.entries ?? []) expect(toPersist.has(`${e.index}@${e.term}`)).toBe(true)
    // None of them is committed before the followers acknowledge them.
    expect(rd.committedEntries).toEqual([])
  })

  it('a follower acknowledges an append in the Ready that persists it', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(2, [1, 2], 10, 1, s))
    rn.step({ msgType: MessageType.MsgAppend, from: 1, to: 2, term: 1, index: 0, logTerm: 0, entries: [{ index: 1, term: 1 }], commit: 0 })
    const rd = rn.ready()
    expect(indexTerms(rd.entries)).toEqual([[1, 1]])
    expect(rd.hardState.term).toBe(1)
    expect(ofType(rd.messages, MessageType.MsgAppendResponse).map((m) => [m.to, m.index, m.reject ?? false])).toEqual([[1, 1, false]])
  })

  it('entries replaced between ready() and advance() are not marked stable: the next Ready persists the new ones', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(2, [1, 2, 3], 10, 1, s))
    rn.step({ msgType: MessageType.MsgAppend, from: 1, to: 2, term: 1, index: 0, logTerm: 0, entries: [{ index: 1, term: 1 }, { index: 2, term: 1 }], commit: 1 })
    const rd = rn.ready()
    expect(indexTerms(rd.entries)).toEqual([[1, 1], [2, 1]])
    // While the application persists, a new leader (term 2) replaces entry 2.
    rn.step({ msgType: MessageType.MsgAppend, from: 3, to: 2, term: 2, index: 1, logTerm: 1, entries: [{ index: 2, term: 2 }], commit: 1 })
    handle(rn, s, rd)
    // (Entry 1 may be handed out again: persisting it twice is harmless; missing 2@2 is not.)
    expect(rn.raft.raftLog.stabled).toBeLessThanOrEqual(1)
    expect(indexTerms(rn.raft.raftLog.unstableEntries()).slice(-1)).toEqual([[2, 2]])
    const next = rn.ready()
    expect(indexTerms(next.entries).slice(-1)).toEqual([[2, 2]])
    expect(next.hardState.term).toBe(2)
    handle(rn, s, next)
    expect(s.term(2)).toBe(2)
    expect(rn.hasReady()).toBe(false)
  })

  it('messages and read states produced between ready() and advance() come in the next Ready', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(2, [1, 2], 10, 1, s))
    rn.step({ msgType: MessageType.MsgHeartbeat, from: 1, to: 2, term: 1 })
    const rd = rn.ready()
    expect(rd.messages.length).toBe(1)
    rn.step({ msgType: MessageType.MsgHeartbeat, from: 1, to: 2, term: 1 })
    handle(rn, s, rd)
    expect(rn.hasReady()).toBe(true)
    expect(ofType(rn.ready().messages, MessageType.MsgHeartbeatResponse).length).toBe(1)
  })

  it('softState is set only when the role or the leader changes', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(2, [1, 2], 10, 1, s))
    rn.step({ msgType: MessageType.MsgHeartbeat, from: 1, to: 2, term: 1 })
    const rd = rn.ready()
    expect(rd.softState).toEqual({ lead: 1, raftState: StateType.Follower })
    handle(rn, s, rd)
    rn.step({ msgType: MessageType.MsgHeartbeat, from: 1, to: 2, term: 1 })
    expect(rn.ready().softState).toBeUndefined()
  })

  it('a restarted node hands out its committed entries again, from what was applied', () => {
    const s = new MemoryStorage()
    s.append([{ index: 1, term: 1 }, { index: 2, term: 1, data: bytes('foo') }, { index: 3, term: 1 }])
    s.setHardState({ term: 1, commit: 2 })
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, s))
    expect(rn.hasReady()).toBe(true)
    const rd = rn.ready()
    expect(isEmptyHardState(rd.hardState)).toBe(true)
    expect(rd.entries).toEqual([])
    expect(indexTerms(rd.committedEntries)).toEqual([[1, 1], [2, 1]])
    handle(rn, s, rd)
    expect(rn.hasReady()).toBe(false)
  })

  it('a restarted node with Config.applied skips what it already applied', () => {
    const s = new MemoryStorage()
    s.append([{ index: 1, term: 1 }, { index: 2, term: 1 }, { index: 3, term: 1 }])
    s.setHardState({ term: 1, commit: 3 })
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, s, { applied: 2 }))
    expect(indexTerms(rn.ready().committedEntries)).toEqual([[3, 1]])
  })

  it('a node restarted from a snapshot hands out only the committed entries after it', () => {
    const s = new MemoryStorage()
    s.applySnapshot({ data: bytes('x'), metadata: { index: 2, term: 1, confState: { nodes: [1, 2] } } })
    s.append([{ index: 3, term: 1 }, { index: 4, term: 1 }])
    s.setHardState({ term: 1, commit: 3 })
    const rn = new RawNode(newTestConfig(1, undefined, 10, 1, s))
    expect([...rn.getProgress().keys()].sort()).toEqual([1, 2])
    const rd = rn.ready()
    expect(isEmptySnap(rd.snapshot)).toBe(true)
    expect(indexTerms(rd.committedEntries)).toEqual([[3, 1]])
    expect(rn.raft.raftLog.firstIndex()).toBe(3)
  })

  it('a restarted node keeps its term and vote', () => {
    const s = new MemoryStorage()
    s.setHardState({ term: 5, vote: 2, commit: 0 })
    const rn = new RawNode(newTestConfig(1, [1, 2, 3], 10, 1, s))
    expect(rn.raft.term).toBe(5)
    expect(rn.raft.vote).toBe(2)
    // It will not vote for anyone else in term 5.
    rn.step({ msgType: MessageType.MsgRequestVote, from: 3, to: 1, term: 5 })
    const resp = ofType(rn.ready().messages, MessageType.MsgRequestVoteResponse)
    expect(resp.map((m) => [m.to, m.reject])).toEqual([[3, true]])
  })

  it('step refuses local message types with ErrStepLocalMsg', () => {
    const rn = new RawNode(newTestConfig(1, [1, 2], 10, 1, new MemoryStorage()))
    expect(() => rn.step({ msgType: MessageType.MsgHup, from: 1, to: 1 })).toThrow(ErrStepLocalMsg)
    expect(() => rn.step({ msgType: MessageType.MsgBeat, from: 1, to: 1 })).toThrow(ErrStepLocalMsg)
    expect(rn.raft.state).toBe(StateType.Follower)
    expect(rn.raft.term).toBe(0)
  })

  it('step refuses a response from a node outside the membership with ErrStepPeerNotFound', () => {
    const rn = new RawNode(newTestConfig(1, [1, 2], 10, 1, new MemoryStorage()))
    for (const t of [MessageType.MsgAppendResponse, MessageType.MsgHeartbeatResponse, MessageType.MsgRequestVoteResponse]) {
      expect(() => rn.step({ msgType: t, from: 9, to: 1, term: 1 })).toThrow(ErrStepPeerNotFound)
    }
    expect(rn.raft.term).toBe(0)
  })

  it('transferLeader through RawNode asks an up-to-date follower to campaign now', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1, 2], 10, 1, s))
    rn.campaign()
    handle(rn, s, rn.ready())
    rn.step({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 })
    handle(rn, s, rn.ready())
    rn.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 1 })
    drain(rn, s)
    rn.transferLeader(2)
    expect(ofType(rn.ready().messages, MessageType.MsgTimeoutNow).map((m) => m.to)).toEqual([2])
  })

  it('getProgress reports every member, the leader included', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, s))
    rn.campaign()
    drain(rn, s)
    const pr = rn.getProgress()
    expect([...pr.keys()]).toEqual([1])
    expect(pr.get(1)!.match).toBe(1)
    expect(pr.get(1)!.next).toBe(2)
  })

  it('ticks drive elections: a lone follower campaigns within 2 election timeouts', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, s))
    for (let i = 0; i < 20 && rn.raft.state !== StateType.Leader; i++) rn.tick()
    expect(rn.raft.state).toBe(StateType.Leader)
    expect(drain(rn, s).map((e) => e.index)).toEqual([1])
  })
})
