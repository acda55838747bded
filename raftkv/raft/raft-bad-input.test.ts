// Bad input: a message from an unknown peer, a stale term, an index past the log,
// a malformed message or an invalid config gives a typed error or is ignored as Raft
// prescribes — never a crash or a corrupted log.
import { describe, expect, it } from 'vitest'
import {
  ErrStepLocalMsg, InvalidConfigError, MemoryStorage, MessageType, RaftError, RawNode, StateType, newRaft,
  type Config, type Message, type Raft,
} from './index.js'
import { bytes, indexTerms, newTestConfig, newTestRaft, persistAndApply, readMessages, storageWithTerms } from './testing/helpers.js'

const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })

/** A leader of [1, 2, 3] with a committed no-op and one more entry acked by nobody. */
function leader(): Raft {
  const r = newTestRaft(1, [1, 2, 3], 10, 1)
  r.becomeCandidate()
  r.becomeLeader()
  r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 1 })
  r.step(prop(1))
  readMessages(r)
  persistAndApply(r, r.raftLog.storage as MemoryStorage)
  return r
}

/** The same leader, behind a RawNode (the application's entry point for network messages). */
function leaderNode(): RawNode {
  const s = new MemoryStorage()
  const rn = new RawNode(newTestConfig(1, [1, 2, 3], 10, 1, s))
  rn.campaign()
  rn.step({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 })
  const r = rn.raft
  r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 1 })
  r.step(prop(1))
  readMessages(r)
  persistAndApply(r, s)
  return rn
}

/** What a log looks like from outside, to check it was left alone. */
const snapshotOf = (r: Raft) => ({
  term: r.term, vote: r.vote, state: r.state, lead: r.lead, commit: r.raftLog.committed,
  log: indexTerms(r.raftLog.allEntries()), prs: [...r.prs].map(([id, p]) => [id, p.match, p.next]),
})

describe('bad input', () => {
  describe('an invalid config is refused with InvalidConfigError (code ErrInvalidConfig)', () => {
    const base = (): Config => newTestConfig(1, [1, 2, 3], 10, 1, new MemoryStorage())
    const cases: [string, (c: Config) => void][] = [
      ['id 0 (None)', (c) => { c.id = 0 }],
      ['a negative id', (c) => { c.id = -1 }],
      ['a fractional id', (c) => { c.id = 1.5 }],
      ['heartbeatTick 0', (c) => { c.heartbeatTick = 0 }],
      ['electionTick not above heartbeatTick', (c) => { c.electionTick = 1 }],
      ['a peer id 0', (c) => { c.peers = [0, 1] }],
      ['a negative applied index', (c) => { c.applied = -1 }],
      ['a negative maxInflightMsgs', (c) => { c.maxInflightMsgs = -1 }],
      ['maxSizePerMsg 0', (c) => { c.maxSizePerMsg = 0 }],
      ['no storage', (c) => { (c as unknown as Record<string, unknown>).storage = undefined }],
    ]
    for (const [name, spoil] of cases) {
      it(name, () => {
        const c = base()
        spoil(c)
        let caught: unknown
        try {
          newRaft(c)
        } catch (e) {
          caught = e
        }
        expect(caught).toBeInstanceOf(InvalidConfigError)
        expect(caught).toBeInstanceOf(RaftError)
        expect((caught as RaftError).code).toBe('ErrInvalidConfig')
        expect(() => new RawNode(c)).toThrow(InvalidConfigError)
      })
    }

    it('a stored commit index past the stored log', () => {
      const s = storageWithTerms([1, 1])
      s.setHardState({ term: 1, commit: 5 })
      expect(() => newRaft(newTestConfig(1, [1], 10, 1, s))).toThrow(InvalidConfigError)
    })
  })

  it('a response from a node outside the membership is ignored by the leader', () => {
    const r = leader()
    const before = snapshotOf(r)
    r.step({ msgType: MessageType.MsgAppendResponse, from: 9, to: 1, term: 1, index: 2 })
    r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 9, to: 1, term: 1 })
    r.step({ msgType: MessageType.MsgAppendResponse, from: 9, to: 1, term: 1, index: 0, reject: true, rejectHint: 0 })
    expect(snapshotOf(r)).toEqual(before)
    expect(readMessages(r)).toEqual([])
  })

  it('an acknowledgement past the leader\'s last index changes neither progress nor commit', () => {
    const r = leader()
    const before = snapshotOf(r)
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 99 })
    r.step({ msgType: MessageType.MsgAppendResponse, from: 3, to: 1, term: 1, index: 99 })
    expect(snapshotOf(r)).toEqual(before)
    expect(r.raftLog.committed).toBeLessThanOrEqual(r.raftLog.lastIndex())
  })

  it('an append whose previous index is past the log is rejected and the log is unchanged', () => {
    const r = newTestRaft(1, [1, 2], 10, 1, storageWithTerms([1, 1]))
    r.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 2, index: 100, logTerm: 2, entries: [{ index: 101, term: 2 }], commit: 101 })
    expect(indexTerms(r.raftLog.allEntries())).toEqual([[1, 1], [2, 1]])
    expect(r.raftLog.committed).toBe(0)
    const [resp] = readMessages(r)
    expect(resp!.reject).toBe(true)
    expect(resp!.rejectHint).toBeLessThanOrEqual(2)
  })

  it('a heartbeat commit index past the log is capped at the log', () => {
    const r = newTestRaft(1, [1, 2], 10, 1, storageWithTerms([1, 1]))
    r.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 1, commit: 100 })
    expect(r.raftLog.committed).toBe(2)
  })

  describe('malformed messages are ignored without a crash or a change', () => {
    const cases: [string, Message][] = [
      ['a negative term', { msgType: MessageType.MsgAppend, from: 2, to: 1, term: -1, index: 0, entries: [{ index: 1, term: 1 }] }],
      ['a fractional index', { msgType: MessageType.MsgAppend, from: 2, to: 1, term: 3, index: 0.5, entries: [{ index: 1, term: 1 }] }],
      ['entries with a gap', { msgType: MessageType.MsgAppend, from: 2, to: 1, term: 3, index: 2, logTerm: 1, entries: [{ index: 3, term: 3 }, { index: 5, term: 3 }] }],
      ['entries not following index', { msgType: MessageType.MsgAppend, from: 2, to: 1, term: 3, index: 2, logTerm: 1, entries: [{ index: 1, term: 3 }] }],
      ['an unknown message type', { msgType: 99 as MessageType, from: 2, to: 1, term: 1 }],
      ['a snapshot without metadata', { msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 1, snapshot: { data: bytes('x') } }],
    ]
    for (const [name, m] of cases) {
      it(name, () => {
        const r = newTestRaft(1, [1, 2], 10, 1, storageWithTerms([1, 1]))
        const log = indexTerms(r.raftLog.allEntries())
        expect(() => r.step(m)).not.toThrow()
        expect(indexTerms(r.raftLog.allEntries())).toEqual(log)
        expect(r.raftLog.committed).toBe(0)
        expect(r.raftLog.pendingSnapshot).toBeUndefined()
      })
    }
  })

  it('stale-term messages of every kind leave a leader in charge and its log alone', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.becomeFollower(4, 0)
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    const before = snapshotOf(r)
    const types = [MessageType.MsgAppend, MessageType.MsgAppendResponse, MessageType.MsgHeartbeat, MessageType.MsgHeartbeatResponse,
      MessageType.MsgRequestVote, MessageType.MsgRequestVoteResponse, MessageType.MsgSnapshot, MessageType.MsgTimeoutNow]
    for (const t of types) r.step({ msgType: t, from: 2, to: 1, term: 3, index: 9, logTerm: 3, commit: 9, entries: [] })
    expect(snapshotOf(r)).toEqual(before)
    expect(r.state).toBe(StateType.Leader)
  })

  describe('a peer message without a term (stale: terms start at 1) changes nothing', () => {
    // Only locally made messages carry no term (MsgHup, MsgBeat, MsgPropose, and the requests a
    // follower forwards: MsgPropose, MsgReadIndex, MsgTransferLeader).
    const follower = (): RawNode => {
      const s = storageWithTerms([1, 1])
      s.setHardState({ term: 1, commit: 0 })
      const rn = new RawNode(newTestConfig(2, [1, 2, 3], 10, 1, s))
      rn.step({ msgType: MessageType.MsgHeartbeat, from: 1, to: 2, term: 1, commit: 0 })
      rn.ready()
      return rn
    }
    it('a heartbeat without a term does not move the commit index', () => {
      const rn = follower()
      try {
        rn.step({ msgType: MessageType.MsgHeartbeat, from: 3, to: 2, commit: 2 })
      } catch (e) {
        expect(e).toBeInstanceOf(RaftError)
      }
      expect(rn.raft.raftLog.committed).toBe(0)
      expect(rn.raft.lead).toBe(1)
    })
    it('an append without a term does not touch the log', () => {
      const rn = follower()
      try {
        rn.step({ msgType: MessageType.MsgAppend, from: 3, to: 2, index: 1, logTerm: 1, entries: [{ index: 2, term: 1, data: bytes('x') }], commit: 2 })
      } catch (e) {
        expect(e).toBeInstanceOf(RaftError)
      }
      expect(indexTerms(rn.raft.raftLog.allEntries())).toEqual([[1, 1], [2, 1]])
      expect(rn.raft.raftLog.committed).toBe(0)
    })
    it('an append response without a term is not counted by the leader', () => {
      const rn = leaderNode()
      const r = rn.raft
      const before = snapshotOf(r)
      try {
        rn.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, index: 2 })
        rn.step({ msgType: MessageType.MsgAppendResponse, from: 3, to: 1, index: 2 })
      } catch (e) {
        expect(e).toBeInstanceOf(RaftError)
      }
      expect(snapshotOf(r)).toEqual(before)
    })
  })

  it('RawNode.step refuses the application\'s own reports (MsgUnreachable, MsgSnapStatus) coming from the network', () => {
    const rn = leaderNode()
    const r = rn.raft
    r.step({ msgType: MessageType.MsgAppendResponse, from: 3, to: 1, term: 1, index: 2 })
    readMessages(r)
    const before = snapshotOf(r)
    expect(() => rn.step({ msgType: MessageType.MsgUnreachable, from: 2, to: 1, term: 1 })).toThrow(ErrStepLocalMsg)
    expect(() => rn.step({ msgType: MessageType.MsgSnapStatus, from: 2, to: 1, term: 1, reject: true })).toThrow(ErrStepLocalMsg)
    expect(() => rn.step({ msgType: MessageType.MsgCheckQuorum, from: 2, to: 1, term: 1 })).toThrow(ErrStepLocalMsg)
    expect(snapshotOf(r)).toEqual(before)
  })

  it('a MsgTimeoutNow to a node outside the membership does not make it campaign', () => {
    const r = newTestRaft(1, [2, 3], 10, 1)
    r.step({ msgType: MessageType.MsgTimeoutNow, from: 2, to: 1, term: 1 })
    expect(r.state).toBe(StateType.Follower)
    expect(readMessages(r).filter((m) => m.msgType === MessageType.MsgRequestVote)).toEqual([])
  })
})
