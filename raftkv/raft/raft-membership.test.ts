// Membership changes (§6 of the Raft paper, single-server changes):
// one conf change at a time (pendingConfIndex), addNode / removeNode, a removed leader
// steps down, and the quorum is recomputed on removal.
import { describe, expect, it } from 'vitest'
import {
  ConfChangeType, EntryType, ErrProposalDropped, MemoryStorage, MessageType, None, RawNode, StateType,
  decodeConfChange, encodeConfChange, type ConfChange, type Message, type Raft,
} from './index.js'
import { bytes, newTestConfig, newTestRaft, ofType, persistAndApply, readMessages, storageWithTerms, tickN } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })
const propCC = (id: number, cc: ConfChange): Message => ({
  msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ entryType: EntryType.EntryConfChange, data: encodeConfChange(cc) }],
})
const add = (nodeId: number): ConfChange => ({ changeType: ConfChangeType.AddNode, nodeId })
const remove = (nodeId: number): ConfChange => ({ changeType: ConfChangeType.RemoveNode, nodeId })

/** Elects r (a single-node cluster, or with acks from every peer) and applies its no-op. */
function leaderWithNoopApplied(r: Raft): void {
  r.becomeCandidate()
  r.becomeLeader()
  for (const id of r.prs.keys()) {
    if (id !== r.id) r.step({ msgType: MessageType.MsgAppendResponse, from: id, to: r.id, term: r.term, index: r.raftLog.lastIndex() })
  }
  readMessages(r)
  persistAndApply(r, r.raftLog.storage as MemoryStorage)
  expect(r.raftLog.applied).toBe(r.raftLog.lastIndex())
}

const confEntries = (r: Raft) => r.raftLog.allEntries().filter((e) => e.entryType === EntryType.EntryConfChange)

describe('membership', () => {
  it('only one conf change may be pending: another is refused until the first is applied', () => {
    const r = newTestRaft(1, [1, 2], 10, 1)
    leaderWithNoopApplied(r)
    r.step(propCC(1, add(3)))
    const first = r.raftLog.lastIndex()
    expect(r.pendingConfIndex).toBe(first)
    // A second one while the first is not applied: refused (or turned into a no-op).
    try {
      r.step(propCC(1, add(4)))
    } catch (e) {
      expect(e).toBe(ErrProposalDropped)
    }
    expect(confEntries(r).map((e) => decodeConfChange(e.data!).nodeId)).toEqual([3])
    // Once the first one is committed and applied, the next one is taken.
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: r.term, index: r.raftLog.lastIndex() })
    persistAndApply(r, r.raftLog.storage as MemoryStorage)
    expect(r.raftLog.applied).toBeGreaterThanOrEqual(first)
    r.addNode(3)
    r.step(propCC(1, add(4)))
    expect(confEntries(r).map((e) => decodeConfChange(e.data!).nodeId)).toEqual([3, 4])
  })

  it('normal proposals are still taken while a conf change is pending', () => {
    const r = newTestRaft(1, [1, 2], 10, 1)
    leaderWithNoopApplied(r)
    r.step(propCC(1, add(3)))
    r.step(prop(1, 'data'))
    expect(r.raftLog.lastIndex()).toBe(3)
    expect(r.raftLog.allEntries()[2]!.entryType ?? EntryType.EntryNormal).toBe(EntryType.EntryNormal)
  })

  it('a new leader refuses conf changes until the entries of earlier terms (a pending conf change among them) are applied', () => {
    const s = storageWithTerms([1])
    s.append([{ index: 2, term: 1, entryType: EntryType.EntryConfChange, data: encodeConfChange(add(3)) }])
    s.setHardState({ term: 1, commit: 0 })
    const r = newTestRaft(1, [1, 2], 10, 1, s)
    r.becomeCandidate()
    r.becomeLeader()
    expect(() => r.step(propCC(1, add(4)))).toThrow(ErrProposalDropped)
    expect(confEntries(r).length).toBe(1)
  })

  it('addNode adds a peer the leader starts replicating to; adding it twice changes nothing', () => {
    const r = newTestRaft(1, [1], 10, 1)
    leaderWithNoopApplied(r)
    r.addNode(2)
    expect([...r.prs.keys()].sort()).toEqual([1, 2])
    const pr = r.prs.get(2)!
    expect(pr.match).toBe(0)
    r.addNode(2)
    expect(r.prs.get(2)).toBe(pr)
    // The quorum grew: a new entry needs node 2 now.
    r.step(prop(1))
    expect(r.raftLog.committed).toBe(1)
    expect(ofType(readMessages(r), MessageType.MsgAppend).map((m) => m.to)).toEqual([2])
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: r.term, index: 2 })
    expect(r.raftLog.committed).toBe(2)
  })

  it('removeNode drops a peer; removing an unknown peer changes nothing', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.removeNode(2)
    expect([...r.prs.keys()].sort()).toEqual([1, 3])
    r.removeNode(9)
    expect([...r.prs.keys()].sort()).toEqual([1, 3])
  })

  it('after a removal the quorum shrinks, so a pending entry commits', () => {
    const s = new MemoryStorage()
    const r = newTestRaft(1, [1, 2], 5, 1, s)
    r.becomeCandidate()
    r.becomeLeader()
    r.step(propCC(1, remove(2)))
    expect(persistAndApply(r, s)).toEqual([])
    const ccIndex = r.raftLog.lastIndex()
    r.step(prop(1, 'hello'))
    // Node 2 acknowledges up to the conf change, committing it (not 'hello').
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: r.term, index: ccIndex })
    const ents = persistAndApply(r, s)
    expect(ents.map((e) => e.entryType ?? EntryType.EntryNormal)).toEqual([EntryType.EntryNormal, EntryType.EntryConfChange])
    // Applying the removal leaves 1 alone: 'hello' commits at once.
    r.removeNode(2)
    const after = persistAndApply(r, s)
    expect(after.map((e) => new TextDecoder().decode(e.data ?? new Uint8Array()))).toEqual(['hello'])
  })

  it('a leader removed from the membership steps down and never campaigns again', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    leaderWithNoopApplied(r)
    r.removeNode(1)
    expect(r.state).toBe(StateType.Follower)
    expect(r.lead).toBe(None)
    readMessages(r)
    tickN(r, 100)
    expect(r.state).toBe(StateType.Follower)
    expect(readMessages(r)).toEqual([])
    expect(() => r.step(prop(1))).toThrow(ErrProposalDropped)
  })

  it('the remaining members elect a new leader after the old one removed itself', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(propCC(1, remove(1)))
    const applied = nt.persistAll()
    for (const [id, ents] of applied) {
      for (const e of ents) {
        if (e.entryType === EntryType.EntryConfChange) nt.raft(id).removeNode(decodeConfChange(e.data!).nodeId ?? 0)
      }
    }
    // The followers learn of the commit with the next append or heartbeat; they have it when they apply.
    expect(nt.raft(1).state).toBe(StateType.Follower)
    nt.send(hup(2))
    expect(nt.raft(2).state).toBe(StateType.Leader)
    nt.send(prop(2, 'after'))
    expect(nt.raft(3).raftLog.committed).toBe(nt.raft(2).raftLog.lastIndex())
  })

  it('a node added to the cluster catches up with the leader', () => {
    const r1 = newTestRaft(1, [1, 2], 10, 1, new MemoryStorage())
    const r2 = newTestRaft(2, [1, 2], 10, 1, new MemoryStorage())
    // Node 3 starts empty, outside any membership.
    const r3 = newTestRaft(3, undefined, 10, 1, new MemoryStorage())
    expect(r3.prs.size).toBe(0)
    const nt = new Network([r1, r2, r3])
    nt.send(hup(1))
    nt.send(prop(1, 'before'))
    nt.send(propCC(1, add(3)))
    for (const [id, ents] of nt.persistAll()) {
      for (const e of ents) {
        if (e.entryType === EntryType.EntryConfChange) nt.raft(id).addNode(decodeConfChange(e.data!).nodeId ?? 0)
      }
    }
    nt.send(prop(1, 'after'))
    expect(r3.raftLog.lastIndex()).toBe(r1.raftLog.lastIndex())
    expect(r3.raftLog.committed).toBe(r1.raftLog.committed)
    expect(r1.prs.get(3)!.match).toBe(r1.raftLog.lastIndex())
  })

  it('RawNode: a proposed conf change is an EntryConfChange entry; applying it returns the new ConfState', () => {
    const storage = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1], 10, 1, storage))
    rn.campaign()
    const drain = () => {
      const out = []
      for (let i = 0; i < 100 && rn.hasReady(); i++) {
        const rd = rn.ready()
        storage.append(rd.entries)
        out.push(...rd.committedEntries)
        rn.advance(rd)
      }
      return out
    }
    drain()
    rn.proposeConfChange(add(2))
    const committed = drain().filter((e) => e.entryType === EntryType.EntryConfChange)
    expect(committed.length).toBe(1)
    const cc = decodeConfChange(committed[0]!.data!)
    expect([cc.changeType ?? ConfChangeType.AddNode, cc.nodeId]).toEqual([ConfChangeType.AddNode, 2])
    expect(rn.applyConfChange(cc).nodes).toEqual([1, 2])
    expect([...rn.getProgress().keys()].sort()).toEqual([1, 2])
    expect(rn.applyConfChange(remove(2)).nodes).toEqual([1])
  })
})
