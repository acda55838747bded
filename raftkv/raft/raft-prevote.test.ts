// PreVote (Raft thesis §9.6): a node campaigns only after a pre-vote round shows a
// majority would vote for it, so a partitioned node that rejoins does not disrupt the cluster.
import { describe, expect, it } from 'vitest'
import { MessageType, None, StateType, type Message } from './index.js'
import { bytes, newTestRaft, ofType, readMessages, view } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const beat = (id: number): Message => ({ msgType: MessageType.MsgBeat, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })

/** Lets `id` run through `timeouts` election timeouts while cut off (its messages are lost). */
function timeOutIsolated(nt: Network, id: number, timeouts: number): void {
  const r = nt.raft(id)
  for (let i = 0; i < timeouts * 2 * r.electionTimeout; i++) {
    r.tick()
    nt.send(...readMessages(r))
  }
}

describe('pre-vote', () => {
  it('a pre-candidate asks for votes in term+1 without changing its own term', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1, undefined, { preVote: true })
    r.becomeFollower(1, 2)
    r.step(hup(1))
    expect(r.state).toBe(StateType.PreCandidate)
    expect(r.term).toBe(1)
    expect(r.vote).toBe(0)
    const msgs = readMessages(r).map(view).sort((a, b) => a.to - b.to)
    expect(msgs.map((m) => [m.msgType, m.to, m.term])).toEqual([
      [MessageType.MsgRequestPreVote, 2, 2], [MessageType.MsgRequestPreVote, 3, 2],
    ])
  })

  it('a voter grants a pre-vote for a newer term without adopting the term or recording a vote', () => {
    const r = newTestRaft(2, [1, 2, 3], 10, 1, undefined, { preVote: true })
    r.becomeFollower(1, None)
    r.step({ msgType: MessageType.MsgRequestPreVote, from: 1, to: 2, term: 2, index: 0, logTerm: 0 })
    expect(ofType(readMessages(r), MessageType.MsgRequestPreVoteResponse).map((m) => [m.to, m.term, m.reject ?? false])).toEqual([[1, 2, false]])
    expect(r.term).toBe(1)
    expect(r.vote).toBe(0)
  })

  it('a pre-vote win is followed by a real election: the cluster elects a leader in term 1', () => {
    const nt = new Network([null, null, null], { extras: { preVote: true } })
    nt.send(hup(1))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    for (const id of [1, 2, 3]) expect(nt.raft(id).term).toBe(1)
  })

  it('a partitioned node that rejoins does not disrupt the leader', () => {
    const nt = new Network([null, null, null], { extras: { preVote: true } })
    nt.send(hup(1))
    nt.send(prop(1))
    nt.isolate(3)
    timeOutIsolated(nt, 3, 5)
    // Its pre-votes went nowhere: its term did not move.
    expect(nt.raft(3).term).toBe(1)
    expect(nt.raft(3).state).toBe(StateType.PreCandidate)
    nt.recover()
    nt.send(beat(1))
    nt.send(prop(1))
    for (const id of [1, 2, 3]) {
      expect(nt.raft(id).term).toBe(1)
      expect(nt.raft(id).lead).toBe(1)
    }
    expect(nt.raft(1).state).toBe(StateType.Leader)
    expect(nt.raft(3).raftLog.committed).toBe(nt.raft(1).raftLog.committed)
  })

  it('without pre-vote, the same rejoining node does disrupt the leader (the contrast)', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    timeOutIsolated(nt, 3, 5)
    expect(nt.raft(3).term).toBeGreaterThan(1)
    nt.recover()
    nt.send(beat(1))
    expect(nt.raft(1).state).toBe(StateType.Follower)
    expect(nt.raft(1).term).toBeGreaterThan(1)
  })

  it('a pre-candidate whose log is behind loses the pre-vote and cannot bump anyone\'s term', () => {
    const nt = new Network([null, null, null], { extras: { preVote: true } })
    nt.cut(1, 3)
    nt.send(hup(1))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    // 3 never got the no-op; 2 rejects its pre-vote, and 3 goes back to follower.
    nt.send(hup(3))
    expect(nt.raft(3).state).toBe(StateType.Follower)
    expect(nt.raft(3).term).toBe(1)
    nt.recover()
    nt.send(hup(3))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    for (const id of [1, 2, 3]) expect(nt.raft(id).term).toBe(1)
  })

  it('a pre-candidate that hears from the leader of its term becomes its follower', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1, undefined, { preVote: true })
    r.becomeFollower(1, 2)
    r.step(hup(1))
    expect(r.state).toBe(StateType.PreCandidate)
    r.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 1 })
    expect(r.state).toBe(StateType.Follower)
    expect(r.lead).toBe(2)
  })
})

