// Async leader writes (Config.asyncLeaderWrites, Raft thesis §10.2.1): the leader's appends
// leave before its own write is durable (Ready.earlyMessages), and it counts itself towards
// the commit quorum only once advance() reported the write. Each test below would fail if
// the leader counted entries it had not yet persisted.
import { describe, expect, it } from 'vitest'
import {
  ConfChangeType, MemoryStorage, MessageType, RawNode, StateType,
  isEmptyHardState, type Message, type Ready,
} from './index.js'
import { bytes, indexTerms, newTestConfig, ofType } from './testing/helpers.js'

/** A RawNode and its storage, driven the way an application does. */
class App {
  readonly storage: MemoryStorage
  readonly rn: RawNode

  constructor(id: number, peers: number[], storage = new MemoryStorage(), asyncLeaderWrites = true) {
    this.storage = storage
    this.rn = new RawNode(newTestConfig(id, peers, 10, 1, storage, { asyncLeaderWrites }))
  }

  get raft(): RawNode['raft'] {
    return this.rn.raft
  }

  /** The leader's own write finishes: persist the Ready, then report it (advance). */
  persistAndAdvance(rd: Ready): void {
    this.storage.append(rd.entries)
    if (!isEmptyHardState(rd.hardState)) this.storage.setHardState(rd.hardState)
    this.rn.advance(rd)
  }

  /** A whole Ready, returning every message it asked to send. */
  handle(): Message[] {
    const rd = this.rn.ready()
    this.persistAndAdvance(rd)
    return [...(rd.earlyMessages ?? []), ...rd.messages]
  }

  /** Campaigns and wins with node 2's vote; returns the leader's first Ready (its no-op), not yet handled. */
  becomeLeader(): Ready {
    this.rn.campaign()
    this.handle()
    this.rn.step({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: this.raft.id, term: this.raft.term })
    expect(this.raft.state).toBe(StateType.Leader)
    return this.rn.ready()
  }

  ack(from: number, index: number): void {
    this.rn.step({ msgType: MessageType.MsgAppendResponse, from, to: this.raft.id, term: this.raft.term, index })
  }
}

const selfMatch = (a: App): number => a.raft.prs.get(a.raft.id)!.match

describe('async leader writes', () => {
  it('classic mode is unchanged: no earlyMessages in the Ready, the leader counts itself at once', () => {
    const a = new App(1, [1], new MemoryStorage(), false)
    a.rn.campaign()
    const rd = a.rn.ready()
    expect('earlyMessages' in rd).toBe(false)
    expect(indexTerms(rd.committedEntries)).toEqual([[1, 1]])
  })

  it('a single node commits its entries only after advance() reported them persisted', () => {
    const a = new App(1, [1])
    a.rn.campaign()
    const rd = a.rn.ready()
    expect(rd.softState?.raftState).toBe(StateType.Leader)
    expect(indexTerms(rd.entries)).toEqual([[1, 1]])
    expect(rd.committedEntries).toEqual([])
    expect(a.raft.raftLog.committed).toBe(0)
    a.persistAndAdvance(rd)
    expect(a.raft.raftLog.committed).toBe(1)
    const next = a.rn.ready()
    expect(indexTerms(next.committedEntries)).toEqual([[1, 1]])
    expect(next.hardState.commit).toBe(1)
    a.persistAndAdvance(next)

    a.rn.propose(bytes('x'))
    const p = a.rn.ready()
    expect(indexTerms(p.entries)).toEqual([[2, 1]])
    expect(p.committedEntries).toEqual([])
    a.persistAndAdvance(p)
    expect(indexTerms(a.rn.ready().committedEntries)).toEqual([[2, 1]])
  })

  it("a leader's appends go out before its persist, but one follower's ack does not commit without it", () => {
    const a = new App(1, [1, 2, 3])
    const rd = a.becomeLeader()
    const early = rd.earlyMessages ?? []
    expect(ofType(early, MessageType.MsgAppend).map((m) => m.to).sort()).toEqual([2, 3])
    expect(ofType(rd.messages, MessageType.MsgAppend)).toEqual([])
    expect(indexTerms(rd.entries)).toEqual([[1, 1]])
    expect(selfMatch(a)).toBe(0)

    // Node 2 has the no-op on disk; the leader does not yet: 1 of 3.
    a.ack(2, 1)
    expect(a.raft.raftLog.committed).toBe(0)
    a.persistAndAdvance(rd)
    expect(selfMatch(a)).toBe(1)
    expect(a.raft.raftLog.committed).toBe(1)
    const next = a.rn.ready()
    expect(indexTerms(next.committedEntries)).toEqual([[1, 1]])
    // The new commit index goes out with the early messages too.
    expect(ofType(next.earlyMessages ?? [], MessageType.MsgAppend).every((m) => m.commit === 1)).toBe(true)
  })

  it('a majority of followers commits an entry the leader has not persisted yet (§10.2.1)', () => {
    const a = new App(1, [1, 2, 3])
    const rd = a.becomeLeader()
    a.ack(2, 1)
    a.ack(3, 1)
    expect(a.raft.raftLog.committed).toBe(1)
    expect(selfMatch(a)).toBe(0)
    a.persistAndAdvance(rd)
    expect(indexTerms(a.rn.ready().committedEntries)).toEqual([[1, 1]])
  })

  it('followers and candidates send nothing early', () => {
    const c = new App(1, [1, 2, 3])
    c.rn.campaign()
    const rd = c.rn.ready()
    expect(rd.earlyMessages).toEqual([])
    expect(ofType(rd.messages, MessageType.MsgRequestVote)).toHaveLength(2)

    const f = new App(2, [1, 2, 3])
    f.rn.step({ msgType: MessageType.MsgAppend, from: 1, to: 2, term: 1, index: 0, logTerm: 0, entries: [{ index: 1, term: 1 }] })
    const frd = f.rn.ready()
    expect(frd.earlyMessages).toEqual([])
    expect(ofType(frd.messages, MessageType.MsgAppendResponse).map((m) => m.index)).toEqual([1])
  })

  it('heartbeats go early; MsgTimeoutNow waits for the persist', () => {
    const a = new App(1, [1, 2, 3])
    a.persistAndAdvance(a.becomeLeader())
    a.ack(2, 1)
    a.handle()
    a.rn.tick()
    const hb = a.rn.ready()
    expect(ofType(hb.earlyMessages ?? [], MessageType.MsgHeartbeat).map((m) => m.to).sort()).toEqual([2, 3])
    a.persistAndAdvance(hb)
    a.rn.transferLeader(2)
    const t = a.rn.ready()
    expect(ofType(t.messages, MessageType.MsgTimeoutNow).map((m) => m.to)).toEqual([2])
    expect(ofType(t.earlyMessages ?? [], MessageType.MsgTimeoutNow)).toEqual([])
  })

  it('a report for entries replaced while the write was in flight does not count', () => {
    const s = new MemoryStorage()
    s.append([{ index: 1, term: 1 }])
    s.setHardState({ term: 1, commit: 1 })
    const a = new App(1, [1, 2, 3], s)
    a.raft.becomeCandidate()
    a.raft.becomeLeader() // term 2, no-op 2@2
    a.rn.propose(bytes('x')) // 3@2
    const rd = a.rn.ready()
    expect(indexTerms(rd.entries)).toEqual([[2, 2], [3, 2]])
    // Before the write completes, node 2 leads term 3 and overwrites index 2.
    a.rn.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 3, index: 1, logTerm: 1, entries: [{ index: 2, term: 3 }], commit: 1 })
    expect(a.raft.state).toBe(StateType.Follower)
    a.persistAndAdvance(rd) // the stale write lands, then is reported
    expect(a.raft.raftLog.stabled).toBe(1)
    a.handle() // persists 2@3 over it
    expect(s.lastIndex()).toBe(2)

    // Leader again in term 4: it counts its persisted log (up to 2), not the stale report's 3.
    a.raft.becomeCandidate()
    a.raft.becomeCandidate()
    a.raft.becomeLeader()
    expect(a.raft.term).toBe(5)
    expect(selfMatch(a)).toBe(2)
    const lrd = a.rn.ready()
    expect(indexTerms(lrd.entries)).toEqual([[3, 5]])
    a.ack(2, 3)
    expect(a.raft.raftLog.committed).toBe(1)
    a.persistAndAdvance(lrd)
    expect(a.raft.raftLog.committed).toBe(3)
  })

  it('a peer that becomes leader holding unstable entries counts only its persisted log', () => {
    const a = new App(1, [1, 2, 3])
    a.rn.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 0, logTerm: 0, entries: [{ index: 1, term: 1 }] })
    const rd = a.rn.ready() // 1@1, not yet persisted
    a.raft.becomeCandidate()
    a.raft.becomeLeader() // no-op 2@2
    expect(selfMatch(a)).toBe(0)
    a.ack(2, 2)
    expect(a.raft.raftLog.committed).toBe(0)
    a.persistAndAdvance(rd)
    expect(selfMatch(a)).toBe(1)
    expect(a.raft.raftLog.committed).toBe(0) // 2@2 is not on its disk yet
    a.persistAndAdvance(a.rn.ready())
    expect(selfMatch(a)).toBe(2)
    expect(a.raft.raftLog.committed).toBe(2)
  })

  it('a leader that stepped down meanwhile gains nothing from the report', () => {
    const a = new App(1, [1, 2, 3])
    const rd = a.becomeLeader()
    a.rn.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 2 })
    expect(a.raft.state).toBe(StateType.Follower)
    a.persistAndAdvance(rd)
    expect(a.raft.raftLog.committed).toBe(0)
    expect(a.raft.raftLog.stabled).toBe(1) // the entries are on disk all the same
  })

  it('a quorum that shrinks (conf change) still waits for the leader’s own write', () => {
    const a = new App(1, [1, 2, 3])
    a.persistAndAdvance(a.becomeLeader())
    a.ack(2, 1)
    a.handle()
    expect(a.raft.raftLog.committed).toBe(1)
    a.rn.propose(bytes('y')) // 2@1
    const rd = a.rn.ready()
    a.ack(2, 2)
    expect(a.raft.raftLog.committed).toBe(1)
    // Removing node 3: quorum 2 of {1, 2}; node 2 has entry 2, the leader not yet.
    a.rn.applyConfChange({ changeType: ConfChangeType.RemoveNode, nodeId: 3 })
    expect(a.raft.raftLog.committed).toBe(1)
    a.persistAndAdvance(rd)
    expect(a.raft.raftLog.committed).toBe(2)
  })

  it('a ReadIndex waits for a commit of the term, which waits for the leader’s write', () => {
    const a = new App(1, [1, 2, 3])
    const rd = a.becomeLeader()
    a.ack(2, 1)
    a.rn.readIndex(bytes('r1'))
    expect(ofType(a.raft.msgs, MessageType.MsgHeartbeat)).toEqual([])
    a.persistAndAdvance(rd)
    const next = a.rn.ready()
    const hbs = ofType(next.earlyMessages ?? [], MessageType.MsgHeartbeat)
    expect(hbs.map((m) => m.to).sort()).toEqual([2, 3])
    a.rn.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: 1, context: hbs[0]!.context ?? undefined })
    expect(a.rn.ready().readStates.map((r) => r.index)).toEqual([1])
  })
})
