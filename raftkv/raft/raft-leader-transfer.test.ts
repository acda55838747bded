// Leadership transfer (Raft thesis §3.10): MsgTransferLeader,
// catching the transferee up, MsgTimeoutNow, proposals refused meanwhile, abort after an
// election timeout.
import { describe, expect, it } from 'vitest'
import { ErrProposalDropped, MessageType, None, StateType, type Message } from './index.js'
import { bytes, readMessages, tickN } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })
/** Asks `to` (the leader, or a follower that forwards it) to hand leadership to `transferee`. */
const transfer = (transferee: number, to: number): Message => ({ msgType: MessageType.MsgTransferLeader, from: transferee, to })

function expectLeader(nt: Network, lead: number, term?: number): void {
  for (const [id] of nt.peers) {
    const r = nt.raft(id)
    expect(r.state).toBe(id === lead ? StateType.Leader : StateType.Follower)
    expect(r.lead).toBe(lead)
    if (term !== undefined) expect(r.term).toBe(term)
  }
  expect(nt.raft(lead).leadTransferee).toBe(None)
}

describe('leader transfer', () => {
  it('hands leadership to an up-to-date follower (MsgTimeoutNow), and back', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(transfer(2, 1))
    expect(nt.delivered.some((m) => m.msgType === MessageType.MsgTimeoutNow && m.to === 2)).toBe(true)
    expectLeader(nt, 2, 2)
    nt.send(prop(2))
    nt.send(transfer(1, 2))
    expectLeader(nt, 1, 3)
  })

  it('a follower forwards MsgTransferLeader to its leader', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(transfer(2, 2))
    expectLeader(nt, 2, 2)
  })

  it('works through the leader lease and pre-vote (MsgTimeoutNow forces the election)', () => {
    const nt = new Network([null, null, null], { extras: { checkQuorum: true, preVote: true } })
    nt.send(hup(1))
    expectLeader(nt, 1)
    nt.send(transfer(2, 1))
    expectLeader(nt, 2, 2)
  })

  it('catches a lagging transferee up first, then sends MsgTimeoutNow', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    nt.send(prop(1))
    nt.send(prop(1))
    nt.recover()
    const lead = nt.raft(1)
    expect(lead.prs.get(3)!.match).toBeLessThan(lead.raftLog.lastIndex())
    nt.send(transfer(3, 1))
    expectLeader(nt, 3, 2)
    expect(nt.raft(3).raftLog.committed).toBe(nt.raft(3).raftLog.lastIndex())
  })

  it('catches a transferee up through a snapshot when the leader compacted what it needs', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    nt.send(prop(1))
    nt.send(prop(1))
    nt.persistAll()
    const lead = nt.raft(1)
    const s = nt.storage.get(1)!
    s.createSnapshot(lead.raftLog.applied, { nodes: [1, 2, 3] }, bytes('state'))
    s.compact(lead.raftLog.applied)
    lead.raftLog.maybeCompact()
    nt.recover()
    nt.send(transfer(3, 1))
    expect(nt.delivered.some((m) => m.msgType === MessageType.MsgSnapshot && m.to === 3)).toBe(true)
    expectLeader(nt, 3, 2)
  })

  it('a transfer to the leader itself, or to a node outside the cluster, changes nothing', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(transfer(1, 1))
    expectLeader(nt, 1, 1)
    nt.send(transfer(9, 1))
    expectLeader(nt, 1, 1)
  })

  it('proposals are refused while a transfer is in progress', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    nt.send(transfer(3, 1))
    const lead = nt.raft(1)
    expect(lead.leadTransferee).toBe(3)
    const last = lead.raftLog.lastIndex()
    expect(() => lead.step(prop(1))).toThrow(ErrProposalDropped)
    expect(lead.raftLog.lastIndex()).toBe(last)
  })

  it('a transfer that does not finish within an election timeout is aborted; the leader goes on', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    const lead = nt.raft(1)
    nt.send(transfer(3, 1))
    expect(lead.leadTransferee).toBe(3)
    tickN(lead, lead.heartbeatTimeout)
    nt.send(...readMessages(lead))
    expect(lead.leadTransferee).toBe(3)
    tickN(lead, lead.electionTimeout - lead.heartbeatTimeout)
    nt.send(...readMessages(lead))
    expect(lead.leadTransferee).toBe(None)
    expect(lead.state).toBe(StateType.Leader)
    nt.send(prop(1))
    expect(lead.raftLog.committed).toBe(2)
  })

  it('asking again for the same transferee does not extend the deadline', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    const lead = nt.raft(1)
    nt.send(transfer(3, 1))
    tickN(lead, Math.floor(lead.electionTimeout / 2))
    nt.send(transfer(3, 1))
    tickN(lead, lead.electionTimeout - Math.floor(lead.electionTimeout / 2))
    readMessages(lead)
    expect(lead.leadTransferee).toBe(None)
    expect(lead.state).toBe(StateType.Leader)
  })

  it('a transfer to another node replaces one in progress', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    nt.send(transfer(3, 1))
    expect(nt.raft(1).leadTransferee).toBe(3)
    nt.send(transfer(2, 1))
    expect(nt.raft(2).state).toBe(StateType.Leader)
    expect(nt.raft(1).state).toBe(StateType.Follower)
  })

  it('a newer term (another node\'s election) aborts the transfer', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    nt.send(transfer(3, 1))
    expect(nt.raft(1).leadTransferee).toBe(3)
    nt.send(hup(2))
    expect(nt.raft(1).state).toBe(StateType.Follower)
    expect(nt.raft(1).leadTransferee).toBe(None)
    expect(nt.raft(2).state).toBe(StateType.Leader)
  })

  it('removing the transferee from the membership aborts the transfer', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    nt.send(transfer(3, 1))
    nt.raft(1).removeNode(3)
    expect(nt.raft(1).leadTransferee).toBe(None)
    expect(nt.raft(1).state).toBe(StateType.Leader)
  })
})
