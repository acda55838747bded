// CheckQuorum (Raft thesis §6.2): a leader that has not heard from a majority within
// an election timeout steps down; followers that hear from a leader ignore disruptive votes.
import { describe, expect, it } from 'vitest'
import { MessageType, StateType, type Message } from './index.js'
import { readMessages, tickN } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })

/** Ticks every node once, delivering whatever the ticks send, `n` times. */
function tickAll(nt: Network, n: number): void {
  for (let i = 0; i < n; i++) {
    for (const [id] of nt.peers) {
      const r = nt.raft(id)
      r.tick()
      nt.send(...readMessages(r))
    }
  }
}

describe('check quorum', () => {
  it('a leader cut off from the majority steps down within an election timeout', () => {
    const nt = new Network([null, null, null], { extras: { checkQuorum: true } })
    nt.send(hup(1))
    const lead = nt.raft(1)
    expect(lead.state).toBe(StateType.Leader)
    nt.isolate(1)
    // Two checks: the first one after the election may still count the votes' activity.
    for (let i = 0; i < 2 * lead.electionTimeout + 1 && lead.state === StateType.Leader; i++) {
      lead.tick()
      nt.send(...readMessages(lead))
    }
    expect(lead.state).toBe(StateType.Follower)
    expect(lead.term).toBe(1)
  })

  it('a leader that keeps hearing from a majority stays leader', () => {
    const nt = new Network([null, null, null], { extras: { checkQuorum: true } })
    nt.send(hup(1))
    tickAll(nt, 5 * nt.raft(1).electionTimeout)
    expect(nt.raft(1).state).toBe(StateType.Leader)
    expect(nt.raft(1).term).toBe(1)
  })

  it('a leader that hears from one of two followers keeps the quorum', () => {
    const nt = new Network([null, null, null], { extras: { checkQuorum: true } })
    nt.send(hup(1))
    nt.isolate(3)
    const lead = nt.raft(1)
    for (let i = 0; i < 5 * lead.electionTimeout; i++) {
      lead.tick()
      nt.send(...readMessages(lead))
    }
    expect(lead.state).toBe(StateType.Leader)
  })

  it('without CheckQuorum an isolated leader stays leader (the contrast)', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(1)
    const lead = nt.raft(1)
    tickN(lead, 5 * lead.electionTimeout)
    expect(lead.state).toBe(StateType.Leader)
  })

  it('followers that recently heard from the leader ignore a disruptive vote request (leader lease)', () => {
    const nt = new Network([null, null, null], { extras: { checkQuorum: true } })
    nt.send(hup(1))
    nt.send(hup(3))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    expect(nt.raft(1).term).toBe(1)
    expect(nt.raft(2).term).toBe(1)
    expect(nt.raft(3).state).toBe(StateType.Candidate)
  })

  it('the cluster recovers from a stuck candidate: a leader is elected again', () => {
    const nt = new Network([null, null, null], { extras: { checkQuorum: true } })
    nt.send(hup(1))
    nt.send(hup(3))
    tickAll(nt, 10 * nt.raft(1).electionTimeout)
    const leaders = [1, 2, 3].filter((id) => nt.raft(id).state === StateType.Leader)
    expect(leaders.length).toBe(1)
    const term = nt.raft(leaders[0]!).term
    for (const id of [1, 2, 3]) {
      expect(nt.raft(id).term).toBe(term)
      expect(nt.raft(id).lead).toBe(leaders[0])
    }
  })
})
