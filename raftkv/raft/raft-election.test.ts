// Leader election (§5.2, §5.4.1 of the Raft paper).
import { describe, expect, it } from 'vitest'
import { ErrProposalDropped, MessageType, None, StateType, type Message } from './index.js'
import {
  bytes, newTestRaft, ofType, raftWithTerms, readMessages, storageWithTerms, tickN, view,
} from './testing/helpers.js'
import { BlackHole, Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const beat = (id: number): Message => ({ msgType: MessageType.MsgBeat, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })
const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)

/** Ticks until done() holds, failing after max ticks (the bound the paper's timeout gives). */
function tickUntil(r: { tick(): void }, done: () => boolean, max: number): void {
  for (let i = 0; i < max && !done(); i++) r.tick()
  if (!done()) throw new Error(`nothing happened within ${max} ticks`)
}

describe('election', () => {
  it('a raft started for the first time has term 0, no vote, no leader and an empty log', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    expect(r.term).toBe(0)
    expect(r.vote).toBe(None)
    expect(r.lead).toBe(None)
    expect(r.state).toBe(StateType.Follower)
    expect(r.raftLog.lastIndex()).toBe(0)
    expect(r.msgs).toEqual([])
  })

  it('§5.2 a follower times out after a randomized election timeout in [et, 2et), covering the whole range', () => {
    const et = 10
    const r = newTestRaft(1, [1, 2, 3], et, 1)
    const seen = new Set<number>()
    for (let round = 0; round < 500; round++) {
      r.becomeFollower(r.term + 1, None)
      let ticks = 0
      while (r.state === StateType.Follower) {
        r.tick()
        ticks++
        if (ticks > 3 * et) throw new Error('no election after 3 election timeouts')
      }
      seen.add(ticks)
      readMessages(r)
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(et)
    expect(Math.max(...seen)).toBeLessThan(2 * et)
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: et }, (_, i) => et + i))
  })

  it('§5.2 a candidate times out after a randomized election timeout too, and campaigns again', () => {
    const et = 10
    const r = newTestRaft(1, [1, 2, 3], et, 1)
    const seen = new Set<number>()
    for (let round = 0; round < 300; round++) {
      r.becomeCandidate()
      const term = r.term
      let ticks = 0
      while (r.term === term) {
        r.tick()
        ticks++
        if (ticks > 3 * et) throw new Error('no new election after 3 election timeouts')
      }
      seen.add(ticks)
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(et)
    expect(Math.max(...seen)).toBeLessThan(2 * et)
  })

  it('§5.2 election timeouts differ between peers, so split votes are rare', () => {
    const et = 10
    const rs = ids(5).map((id) => newTestRaft(id, ids(5), et, 1))
    let conflicts = 0
    const rounds = 200
    for (let round = 0; round < rounds; round++) {
      for (const r of rs) r.becomeFollower(r.term + 1, None)
      let timedOut = 0
      for (let tick = 0; timedOut === 0; tick++) {
        if (tick > 2 * et) throw new Error('no follower timed out within 2 election timeouts')
        for (const r of rs) {
          r.tick()
          if (readMessages(r).length > 0) timedOut++
        }
      }
      if (timedOut > 1) conflicts++
    }
    expect(conflicts / rounds).toBeLessThan(0.3)
  })

  it('§5.2 a follower that times out becomes a candidate: term+1, votes for itself, asks every peer', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.becomeFollower(1, 2)
    tickUntil(r, () => r.state !== StateType.Follower, 2 * 10)
    expect(r.state).toBe(StateType.Candidate)
    expect(r.term).toBe(2)
    expect(r.vote).toBe(1)
    expect(r.votes.get(1)).toBe(true)
    const msgs = readMessages(r).map(view).sort((a, b) => a.to - b.to)
    expect(msgs).toEqual([
      view({ msgType: MessageType.MsgRequestVote, from: 1, to: 2, term: 2 }),
      view({ msgType: MessageType.MsgRequestVote, from: 1, to: 3, term: 2 }),
    ])
  })

  it('§5.2 a candidate that neither wins nor loses times out and starts a new election with a new term', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.becomeFollower(1, 2)
    r.becomeCandidate()
    readMessages(r)
    tickUntil(r, () => r.term !== 2, 2 * 10)
    expect(r.state).toBe(StateType.Candidate)
    expect(r.term).toBe(3)
    expect(r.vote).toBe(1)
    expect(ofType(readMessages(r), MessageType.MsgRequestVote).map((m) => [m.to, m.term])).toEqual([[2, 3], [3, 3]])
  })

  describe('§5.2 a candidate wins with votes from a majority, loses to a majority of rejections', () => {
    const cases: { size: number; votes: [number, boolean][]; want: StateType }[] = [
      { size: 1, votes: [], want: StateType.Leader },
      { size: 3, votes: [[2, true], [3, true]], want: StateType.Leader },
      { size: 3, votes: [[2, true]], want: StateType.Leader },
      { size: 5, votes: [[2, true], [3, true], [4, true], [5, true]], want: StateType.Leader },
      { size: 5, votes: [[2, true], [3, true], [4, true]], want: StateType.Leader },
      { size: 5, votes: [[2, true], [3, true]], want: StateType.Leader },
      // A candidate that a majority rejected concedes.
      { size: 3, votes: [[2, false], [3, false]], want: StateType.Follower },
      { size: 5, votes: [[2, false], [3, false], [4, false], [5, false]], want: StateType.Follower },
      { size: 5, votes: [[2, true], [3, false], [4, false], [5, false]], want: StateType.Follower },
      // Neither: it keeps waiting.
      { size: 3, votes: [], want: StateType.Candidate },
      { size: 5, votes: [[2, true]], want: StateType.Candidate },
      { size: 5, votes: [[2, false], [3, false]], want: StateType.Candidate },
      { size: 5, votes: [], want: StateType.Candidate },
    ]
    for (const c of cases) {
      it(`${c.size} voters, answers ${JSON.stringify(c.votes)} -> ${StateType[c.want]}`, () => {
        const r = newTestRaft(1, ids(c.size), 10, 1)
        r.step(hup(1))
        for (const [from, granted] of c.votes) {
          r.step({ msgType: MessageType.MsgRequestVoteResponse, from, to: 1, term: r.term, reject: !granted })
        }
        expect(r.state).toBe(c.want)
        expect(r.term).toBe(1)
      })
    }
  })

  describe('§5.2 each server votes for at most one candidate in a term, first come first served', () => {
    const cases: { vote: number; from: number; reject: boolean }[] = [
      { vote: None, from: 2, reject: false },
      { vote: None, from: 3, reject: false },
      { vote: 2, from: 2, reject: false },
      { vote: 3, from: 3, reject: false },
      { vote: 2, from: 3, reject: true },
      { vote: 3, from: 2, reject: true },
    ]
    for (const c of cases) {
      it(`voted ${c.vote}, asked by ${c.from}: ${c.reject ? 'rejects' : 'grants'}`, () => {
        const r = newTestRaft(1, [1, 2, 3], 10, 1)
        r.term = 1
        r.vote = c.vote
        r.step({ msgType: MessageType.MsgRequestVote, from: c.from, to: 1, term: 1 })
        expect(readMessages(r).map(view)).toEqual([
          view({ msgType: MessageType.MsgRequestVoteResponse, from: 1, to: c.from, term: 1, reject: c.reject }),
        ])
        expect(r.vote).toBe(c.reject ? c.vote : c.from)
      })
    }
  })

  describe('§5.4.1 a vote is granted only to a candidate whose log is at least as up-to-date', () => {
    const cases: { terms: number[]; logTerm: number; index: number; reject: boolean; why: string }[] = [
      { terms: [1], logTerm: 1, index: 1, reject: false, why: 'same last term, same length' },
      { terms: [1], logTerm: 1, index: 2, reject: false, why: 'same last term, longer' },
      { terms: [1, 1], logTerm: 1, index: 1, reject: true, why: 'same last term, shorter' },
      { terms: [1], logTerm: 2, index: 1, reject: false, why: 'higher last term, same length' },
      { terms: [1], logTerm: 2, index: 2, reject: false, why: 'higher last term, longer' },
      { terms: [1, 1], logTerm: 2, index: 1, reject: false, why: 'higher last term, shorter' },
      { terms: [2], logTerm: 1, index: 1, reject: true, why: 'lower last term, same length' },
      { terms: [2], logTerm: 1, index: 2, reject: true, why: 'lower last term, longer' },
      { terms: [2, 1], logTerm: 1, index: 1, reject: true, why: 'lower last term, shorter' },
    ]
    for (const c of cases) {
      it(`${c.why}: ${c.reject ? 'rejected' : 'granted'}`, () => {
        const r = newTestRaft(1, [1, 2], 10, 1, storageWithTerms(c.terms))
        r.step({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 3, logTerm: c.logTerm, index: c.index })
        const msgs = readMessages(r)
        expect(msgs.map((m) => [m.msgType, m.to, m.term, m.reject])).toEqual([[MessageType.MsgRequestVoteResponse, 2, 3, c.reject]])
        expect(r.term).toBe(3)
        expect(r.vote).toBe(c.reject ? None : 2)
      })
    }
  })

  it('§5.2 a candidate that hears AppendEntries from a leader of its term or newer returns to follower', () => {
    for (const term of [1, 2]) {
      const r = newTestRaft(1, [1, 2, 3], 10, 1)
      r.step(hup(1))
      expect(r.state).toBe(StateType.Candidate)
      r.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term })
      expect(r.state).toBe(StateType.Follower)
      expect(r.term).toBe(term)
      expect(r.lead).toBe(2)
    }
  })

  it('§5.1 a server that sees a newer term adopts it and reverts to follower, whatever its role', () => {
    const roles: ((r: ReturnType<typeof newTestRaft>) => void)[] = [
      (r) => r.becomeFollower(1, None),
      (r) => r.becomeCandidate(),
      (r) => { r.becomeCandidate(); r.becomeLeader() },
    ]
    for (const become of roles) {
      const r = newTestRaft(1, [1, 2, 3], 10, 1)
      become(r)
      r.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 2 })
      expect(r.term).toBe(2)
      expect(r.state).toBe(StateType.Follower)
      expect(r.lead).toBe(2)
    }
  })

  it('§5.1 a request with a stale term is refused and changes nothing', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1, storageWithTerms([1, 2]))
    expect(r.term).toBe(2)
    r.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 2, logTerm: 2, entries: [{ index: 3, term: 1 }], commit: 3 })
    r.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 1, commit: 2 })
    r.step({ msgType: MessageType.MsgRequestVote, from: 3, to: 1, term: 1, index: 9, logTerm: 9 })
    expect(r.raftLog.lastIndex()).toBe(2)
    expect(r.raftLog.committed).toBe(0)
    expect(r.term).toBe(2)
    expect(r.lead).toBe(None)
    expect(r.vote).toBe(None)
    // Whatever it answers carries its newer term, so that the stale sender steps down.
    for (const m of readMessages(r)) {
      expect(m.term).toBe(2)
      expect(m.msgType).not.toBe(MessageType.MsgRequestVoteResponse)
    }
  })

  it('a follower, candidate or leader grants a vote for a newer term (and becomes a follower of it)', () => {
    const roles: ((r: ReturnType<typeof newTestRaft>) => void)[] = [
      (r) => r.becomeFollower(1, None),
      (r) => r.becomeCandidate(),
      (r) => { r.becomeCandidate(); r.becomeLeader() },
    ]
    for (const become of roles) {
      const r = newTestRaft(1, [1, 2, 3], 10, 1)
      become(r)
      readMessages(r)
      r.step({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 2, index: 42, logTerm: 2 })
      expect(readMessages(r).map(view)).toEqual([view({ msgType: MessageType.MsgRequestVoteResponse, from: 1, to: 2, term: 2 })])
      expect(r.state).toBe(StateType.Follower)
      expect(r.term).toBe(2)
      expect(r.vote).toBe(2)
    }
  })

  it('a single-node cluster elects itself at once and commits its no-op', () => {
    const r = newTestRaft(1, [1], 10, 1)
    r.step(hup(1))
    expect(r.state).toBe(StateType.Leader)
    expect(r.term).toBe(1)
    expect(r.raftLog.lastIndex()).toBe(1)
    expect(r.raftLog.committed).toBe(1)
  })

  it('a new leader appends one no-op entry of its term, and the cluster commits it', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    const lead = nt.raft(1)
    expect(lead.state).toBe(StateType.Leader)
    expect(lead.raftLog.allEntries().map((e) => [e.index, e.term, e.data?.length ?? 0])).toEqual([[1, 1, 0]])
    for (const id of [1, 2, 3]) {
      expect(nt.raft(id).raftLog.committed).toBe(1)
      expect(nt.raft(id).raftLog.lastTerm()).toBe(1)
    }
  })

  describe('elections on a network', () => {
    const cases: { name: string; peers: () => (ReturnType<typeof newTestRaft> | BlackHole | null)[]; state: StateType; term: number }[] = [
      { name: 'all up', peers: () => [null, null, null], state: StateType.Leader, term: 1 },
      { name: 'one of three down', peers: () => [null, null, new BlackHole()], state: StateType.Leader, term: 1 },
      { name: 'two of three down', peers: () => [null, new BlackHole(), new BlackHole()], state: StateType.Candidate, term: 1 },
      { name: 'two of four down', peers: () => [null, new BlackHole(), new BlackHole(), null], state: StateType.Candidate, term: 1 },
      { name: 'two of five down', peers: () => [null, new BlackHole(), new BlackHole(), null, null], state: StateType.Leader, term: 1 },
      {
        // Three peers have longer logs of the same term: they reject, and the candidate concedes.
        name: 'a majority with longer logs',
        peers: () => [null, raftWithTerms(2, ids(5), [1]), raftWithTerms(3, ids(5), [1]), raftWithTerms(4, ids(5), [1, 1]), null],
        state: StateType.Follower,
        term: 1,
      },
    ]
    for (const c of cases) {
      it(c.name, () => {
        const nt = new Network(c.peers())
        nt.send(hup(1))
        expect(nt.raft(1).state).toBe(c.state)
        expect(nt.raft(1).term).toBe(c.term)
      })
    }
  })

  it('every node can be elected in turn (leader cycle)', () => {
    const nt = new Network([null, null, null])
    for (const campaigner of [1, 2, 3, 1]) {
      nt.send(hup(campaigner))
      for (const id of [1, 2, 3]) {
        expect(nt.raft(id).state).toBe(id === campaigner ? StateType.Leader : StateType.Follower)
        expect(nt.raft(id).lead).toBe(campaigner)
      }
    }
  })

  it('dueling candidates: the one with the shorter log disrupts the term but cannot win', () => {
    const nt = new Network([null, null, null])
    nt.cut(1, 3)
    nt.send(hup(1))
    nt.send(hup(3))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    // 3 cannot reach 1, and 2 already voted (and has a longer log).
    expect(nt.raft(3).state).toBe(StateType.Candidate)
    nt.recover()
    // 3 campaigns again at term 2: the higher term deposes 1, but both reject 3's short log.
    nt.send(hup(3))
    for (const [id, last] of [[1, 1], [2, 1], [3, 0]] as const) {
      const r = nt.raft(id)
      expect(r.state).toBe(StateType.Follower)
      expect(r.term).toBe(2)
      expect(r.raftLog.lastIndex()).toBe(last)
      expect(r.raftLog.committed).toBe(last)
    }
  })

  it('a split vote is resolved by a later election', () => {
    // 4 nodes; 1 and 3 campaign at once and each gets one other vote: nobody wins term 1.
    const nt = new Network([null, null, null, null])
    nt.cut(1, 3)
    nt.cut(1, 4)
    nt.cut(3, 2)
    nt.send(hup(1))
    nt.send(hup(3))
    expect(nt.raft(1).state).toBe(StateType.Candidate)
    expect(nt.raft(3).state).toBe(StateType.Candidate)
    expect(nt.raft(1).term).toBe(1)
    expect(nt.raft(3).term).toBe(1)
    nt.recover()
    // The candidate whose timer fires first wins the next term.
    const r1 = nt.raft(1)
    for (let i = 0; i < 2 * r1.electionTimeout && r1.term === 1; i++) {
      r1.tick()
      nt.send(...readMessages(r1))
    }
    expect(r1.state).toBe(StateType.Leader)
    expect(r1.term).toBe(2)
    for (const id of [2, 3, 4]) expect(nt.raft(id).lead).toBe(1)
  })

  it('a candidate concedes to a leader elected while it was isolated, and its log converges', () => {
    const nt = new Network([null, null, null])
    nt.isolate(1)
    nt.send(hup(1))
    nt.send(hup(3))
    expect(nt.raft(1).state).toBe(StateType.Candidate)
    expect(nt.raft(3).state).toBe(StateType.Leader)
    nt.recover()
    nt.send(beat(3))
    nt.send(prop(3, 'force follower'))
    nt.send(beat(3))
    expect(nt.raft(1).state).toBe(StateType.Follower)
    expect(nt.raft(1).term).toBe(1)
    const logs = [1, 2, 3].map((id) => nt.raft(id).raftLog.allEntries().map(view))
    expect(logs[0]).toEqual(logs[2])
    expect(logs[1]).toEqual(logs[2])
    expect(nt.raft(1).raftLog.committed).toBe(2)
  })

  it('messages from old terms are ignored and leave every log alone', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(hup(2))
    nt.send(hup(1))
    expect(nt.raft(1).term).toBe(3)
    // A stale MsgAppend from the term-2 leader.
    nt.send({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 2, index: 3, logTerm: 2, entries: [{ index: 4, term: 2 }] })
    nt.send(prop(1, 'somedata'))
    const want = [[1, 1], [2, 2], [3, 3], [4, 3]]
    for (const id of [1, 2, 3]) {
      const r = nt.raft(id)
      expect(r.raftLog.allEntries().map((e) => [e.index, e.term])).toEqual(want)
      expect(r.raftLog.committed).toBe(4)
    }
  })

  it('a proposal with no leader to take it is refused with ErrProposalDropped', () => {
    const follower = newTestRaft(1, [1, 2, 3], 10, 1)
    expect(() => follower.step(prop(1))).toThrow(ErrProposalDropped)
    const candidate = newTestRaft(1, [1, 2, 3], 10, 1)
    candidate.step(hup(1))
    expect(() => candidate.step(prop(1))).toThrow(ErrProposalDropped)
    expect(candidate.raftLog.lastIndex()).toBe(0)
  })

  it('a node that is not in its own configuration never campaigns', () => {
    const r = newTestRaft(1, [2, 3], 10, 1)
    tickN(r, 100)
    expect(r.state).toBe(StateType.Follower)
    expect(r.term).toBe(0)
    expect(r.msgs).toEqual([])
  })
})
