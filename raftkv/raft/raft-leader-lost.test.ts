// Fast failover (issue 12): a follower whose link to its leader closed forgets the leader
// (and its lease) through reportLeaderLost, and may campaign at once. PreVote keeps a healthy
// leader in place: the followers that still hear it refuse.
import { describe, expect, it } from 'vitest'
import { MessageType, None, StateType, type Message } from './index.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const extras = { checkQuorum: true, preVote: true }

describe('leader lost', () => {
  it('followers that lost a crashed leader elect a new one without waiting out a timeout', () => {
    const nt = new Network([null, null, null], { extras })
    nt.send(hup(1))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    nt.isolate(1)
    // Both followers notice; 2 campaigns at once, 3 has forgotten the lease and grants.
    expect(nt.raft(2).forgetLeader(1)).toBe(true)
    expect(nt.raft(3).forgetLeader(1)).toBe(true)
    nt.send(hup(2))
    expect(nt.raft(2).state).toBe(StateType.Leader)
    expect(nt.raft(2).term).toBe(2)
    expect(nt.raft(3).lead).toBe(2)
  })

  it('a flaky link cannot depose a healthy leader: the follower that still hears it refuses', () => {
    const nt = new Network([null, null, null], { extras })
    nt.send(hup(1))
    nt.cut(1, 3)
    expect(nt.raft(3).forgetLeader(1)).toBe(true)
    expect(nt.raft(3).lead).toBe(None)
    nt.send(hup(3))
    // 2 is in 1's lease and ignores the pre-vote: no term moves anywhere.
    expect(nt.raft(3).state).toBe(StateType.PreCandidate)
    for (const id of [1, 2, 3]) expect(nt.raft(id).term).toBe(1)
    expect(nt.raft(1).state).toBe(StateType.Leader)
    // Once the link is back, the leader's next heartbeat makes 3 its follower again.
    nt.recover()
    nt.send({ msgType: MessageType.MsgBeat, from: 1, to: 1 })
    expect(nt.raft(3).state).toBe(StateType.Follower)
    expect(nt.raft(3).lead).toBe(1)
  })

  it('only a follower of that very peer forgets', () => {
    const nt = new Network([null, null, null], { extras })
    nt.send(hup(1))
    expect(nt.raft(2).forgetLeader(3)).toBe(false)
    expect(nt.raft(1).forgetLeader(1)).toBe(false)
    expect(nt.raft(2).lead).toBe(1)
  })
})
