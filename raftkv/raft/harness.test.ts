// The test support itself (testing/): the PRNG, the simulated network's faults, the safety
// checker and the randomized run must be deterministic and must catch what they claim to.
import { describe, expect, it } from 'vitest'
import { MessageType, StateType, type Message } from './index.js'
import { runSeed } from './testing/chaos.js'
import { SafetyChecker, SafetyViolation } from './testing/invariants.js'
import { Network } from './testing/network.js'
import { Prng } from './testing/prng.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const beat = (id: number): Message => ({ msgType: MessageType.MsgBeat, from: id, to: id })

describe('Prng', () => {
  it('replays the same sequence for the same seed, another for another seed', () => {
    const a = new Prng(42)
    const b = new Prng(42)
    const c = new Prng(43)
    const sa = Array.from({ length: 20 }, () => a.next())
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa)
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa)
    for (const x of sa) {
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
    }
  })

  it('int covers [lo, hi) evenly enough, and shuffle keeps the elements', () => {
    const r = new Prng(7)
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 4000; i++) counts[r.int(0, 4)]!++
    for (const n of counts) expect(n).toBeGreaterThan(800)
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5])
  })
})

describe('Network faults', () => {
  it('cut and isolate stop messages both ways; recover lets them through again', () => {
    const nt = new Network([null, null, null])
    nt.isolate(1)
    nt.send(hup(1))
    expect(nt.raft(1).state).toBe(StateType.Candidate)
    expect(nt.raft(2).term).toBe(0)
    nt.recover()
    nt.cut(2, 1)
    nt.send(hup(2))
    expect(nt.raft(2).state).toBe(StateType.Leader)
    expect(nt.raft(1).lead).toBe(0)
    nt.recover()
    nt.send(beat(2))
    expect(nt.raft(1).lead).toBe(2)
  })

  it('drop loses about the given fraction, deterministically for a seed', () => {
    const delivered = (seed: number) => {
      const nt = new Network([null, null], { seed })
      nt.send(hup(1))
      nt.drop(1, 2, 0.5)
      const before = nt.delivered.length
      for (let i = 0; i < 200; i++) nt.send(beat(1))
      return nt.delivered.length - before
    }
    const a = delivered(3)
    expect(delivered(3)).toBe(a)
    // 200 beats, each a heartbeat (dropped half the time) that is answered when it arrives.
    expect(a).toBeGreaterThan(200 + 2 * 60)
    expect(a).toBeLessThan(200 + 2 * 140)
  })

  it('ignore drops one message type only', () => {
    const nt = new Network([null, null, null])
    nt.ignore(MessageType.MsgAppend)
    nt.send(hup(1))
    expect(nt.raft(1).state).toBe(StateType.Leader)
    expect(nt.raft(2).raftLog.lastIndex()).toBe(0)
  })

  it('delay holds messages back until deliverDelayed', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.delay(1, 3, 1)
    nt.send({ msgType: MessageType.MsgPropose, from: 1, to: 1, entries: [{ data: new Uint8Array([1]) }] })
    expect(nt.raft(3).raftLog.lastIndex()).toBe(1)
    expect(nt.held.length).toBeGreaterThan(0)
    nt.recover()
    nt.deliverDelayed()
    expect(nt.raft(3).raftLog.lastIndex()).toBe(2)
  })

  it('duplicate and reorder deliver extra and shuffled messages without breaking replication', () => {
    const nt = new Network([null, null, null], { seed: 11 })
    nt.duplicate(0.5)
    nt.reorder(0.5)
    nt.send(hup(1))
    for (let i = 0; i < 10; i++) nt.send({ msgType: MessageType.MsgPropose, from: 1, to: 1, entries: [{ data: new Uint8Array([i]) }] })
    nt.recover()
    nt.send(beat(1))
    const acks = nt.delivered.filter((m) => m.msgType === MessageType.MsgAppendResponse)
    expect(acks.length).toBeGreaterThan(20)
    for (const id of [2, 3]) expect(nt.raft(id).raftLog.committed).toBe(11)
  })
})

describe('SafetyChecker', () => {
  const violation = (f: () => void): string => {
    try {
      f()
    } catch (e) {
      if (e instanceof SafetyViolation) return e.message
      throw e
    }
    return ''
  }

  it('catches two leaders in one term', () => {
    const c = new SafetyChecker()
    c.observeLeader(1, 3)
    c.observeLeader(1, 3)
    expect(violation(() => c.observeLeader(2, 3))).toMatch(/election safety/)
  })

  it('catches two different entries at one index and term, or different predecessors', () => {
    const c = new SafetyChecker()
    c.observeEntry(1, { index: 5, term: 2, data: new Uint8Array([1]) }, 2)
    expect(violation(() => c.observeEntry(2, { index: 5, term: 2, data: new Uint8Array([2]) }, 2))).toMatch(/log matching/)
    expect(violation(() => c.observeEntry(2, { index: 5, term: 2, data: new Uint8Array([1]) }, 1))).toMatch(/log matching/)
  })

  it('catches two different entries applied at one index', () => {
    const c = new SafetyChecker()
    c.observeApply(1, 7, 'a@1', 1, 1)
    c.observeApply(2, 7, 'a@1', 1, 2)
    expect(violation(() => c.observeApply(3, 7, 'b@2', 2, 2))).toMatch(/state machine safety/)
  })

  it('catches a leader missing an entry committed in an earlier term', () => {
    const c = new SafetyChecker()
    c.observeApply(1, 1, 'a@1', 1, 1)
    const log = { firstIndex: () => 1, lastIndex: () => 0, term: () => 0 }
    expect(violation(() => c.checkLeader(2, 2, log as never))).toMatch(/leader completeness/)
  })

  it('catches a read answered below what was committed when it was issued', () => {
    expect(violation(() => new SafetyChecker().checkRead(1, 'r1', 4, 5))).toMatch(/linearizable read/)
  })
})

describe('randomized run', () => {
  it('is deterministic: the same seed replays the same run', () => {
    const a = runSeed(17, 3000)
    const b = runSeed(17, 3000)
    expect(b).toEqual(a)
    expect(a.committed).toBeGreaterThan(0)
    expect(runSeed(18, 3000)).not.toEqual(a)
  })
})
