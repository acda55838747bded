// ReadIndex (Raft thesis §6.4): a linearizable read point without a log write. The
// leader answers with its commit index once a heartbeat round confirms it still leads.
import { describe, expect, it } from 'vitest'
import { MemoryStorage, MessageType, RawNode, StateType, type Message, type Raft } from './index.js'
import { bytes, newTestConfig, newTestRaft, readMessages, tickN } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })
const read = (id: number, ctx: string): Message => ({ msgType: MessageType.MsgReadIndex, from: id, to: id, entries: [{ data: bytes(ctx) }] })

const decoder = new TextDecoder()
const states = (r: Raft) => r.readStates.map((rs) => [rs.index, decoder.decode(rs.requestCtx)])

describe('read index', () => {
  it('a single-node leader answers at once with its commit index', () => {
    const r = newTestRaft(1, [1], 10, 1)
    r.step(hup(1))
    r.step(prop(1))
    r.step(read(1, 'ctx1'))
    expect(states(r)).toEqual([[2, 'ctx1']])
  })

  it('a leader answers after a heartbeat round confirms it still leads, not before', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(prop(1))
    const lead = nt.raft(1)
    lead.step(read(1, 'ctx1'))
    expect(lead.readStates).toEqual([])
    const heartbeats = readMessages(lead)
    expect(heartbeats.every((m) => m.msgType === MessageType.MsgHeartbeat)).toBe(true)
    expect(heartbeats.length).toBe(2)
    nt.send(...heartbeats)
    expect(states(lead)).toEqual([[2, 'ctx1']])
  })

  it('reads issued on followers are forwarded and answered back to them', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(prop(1))
    nt.send(read(2, 'a'))
    nt.send(read(3, 'b'))
    expect(states(nt.raft(2))).toEqual([[2, 'a']])
    expect(states(nt.raft(3))).toEqual([[2, 'b']])
    expect(nt.raft(1).readStates).toEqual([])
  })

  it('several reads in flight are answered in order, each with the commit index of its time', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    const lead = nt.raft(1)
    nt.ignore(MessageType.MsgHeartbeatResponse)
    nt.send(read(1, 'r1'))
    nt.send(prop(1))
    nt.send(read(1, 'r2'))
    expect(lead.readStates).toEqual([])
    nt.recover()
    nt.send(read(1, 'r3'))
    expect(states(lead)).toEqual([[1, 'r1'], [2, 'r2'], [2, 'r3']])
  })

  it('a new leader holds reads until it has committed an entry of its own term', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    r.step(read(1, 'early'))
    // No heartbeat round for it yet: the commit index may be stale.
    expect(readMessages(r).filter((m) => m.msgType === MessageType.MsgHeartbeat)).toEqual([])
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 1 })
    const hbs = readMessages(r).filter((m) => m.msgType === MessageType.MsgHeartbeat)
    expect(hbs.length).toBe(2)
    r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: 1, context: hbs[0]!.context })
    expect(states(r)).toEqual([[1, 'early']])
  })

  it('a leader cut off from the majority never answers a read', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(1)
    nt.send(read(1, 'stale'))
    const lead = nt.raft(1)
    for (let i = 0; i < 3 * lead.electionTimeout; i++) {
      lead.tick()
      nt.send(...readMessages(lead))
    }
    expect(lead.state).toBe(StateType.Leader)
    expect(lead.readStates).toEqual([])
    // Meanwhile the others elect a new leader and commit; the old one stays silent.
    nt.send(hup(2))
    nt.send(prop(2))
    expect(lead.readStates).toEqual([])
  })

  it('a read on a follower without a leader is dropped', () => {
    const r = newTestRaft(2, [1, 2, 3], 10, 1)
    r.step(read(2, 'x'))
    expect(r.readStates).toEqual([])
    expect(readMessages(r)).toEqual([])
  })

  it('RawNode: readIndex() answers come in Ready.readStates, once', () => {
    const storage = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, storage))
    rn.campaign()
    const drain = () => {
      const got: [number, string][] = []
      for (let i = 0; i < 100 && rn.hasReady(); i++) {
        const rd = rn.ready()
        storage.append(rd.entries)
        got.push(...rd.readStates.map((rs): [number, string] => [rs.index, decoder.decode(rs.requestCtx)]))
        rn.advance(rd)
      }
      return got
    }
    drain()
    rn.readIndex(bytes('req'))
    expect(rn.hasReady()).toBe(true)
    expect(drain()).toEqual([[1, 'req']])
    expect(rn.hasReady()).toBe(false)
    tickN(rn, 1)
    expect(drain()).toEqual([])
  })
})
