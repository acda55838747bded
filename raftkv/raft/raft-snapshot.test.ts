// Snapshots (§7 of the Raft paper): a follower that needs compacted
// entries gets the leader's Storage.snapshot(), restores term, commit and membership from it,
// and the application receives it in Ready.snapshot.
import { describe, expect, it } from 'vitest'
import {
  ErrSnapshotTemporarilyUnavailable, MemoryStorage, MessageType, RawNode, StateType, isEmptySnap,
  type Message, type Snapshot,
} from './index.js'
import { bytes, indexTerms, newTestConfig, newTestRaft, ofType, readMessages, storageWithTerms } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const beat = (id: number): Message => ({ msgType: MessageType.MsgBeat, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })

const snapshot = (index: number, term: number, nodes: number[]): Snapshot => ({
  data: bytes(`state@${index}`), metadata: { index, term, confState: { nodes } },
})

/** A storage that starts from a snapshot at (index, term) with the given membership. */
function storageFromSnapshot(index: number, term: number, nodes: number[]): MemoryStorage {
  const s = new MemoryStorage()
  s.applySnapshot(snapshot(index, term, nodes))
  s.setHardState({ term, commit: index })
  return s
}

/** A storage whose snapshot() is unavailable (still being built) the first `busy` times. */
class SlowSnapshotStorage extends MemoryStorage {
  calls = 0
  constructor(public busy: number) {
    super()
  }

  override snapshot(): Snapshot {
    this.calls++
    if (this.busy > 0) {
      this.busy--
      throw ErrSnapshotTemporarilyUnavailable
    }
    return super.snapshot()
  }
}

describe('snapshots', () => {
  it('a leader sends MsgSnapshot, built from Storage.snapshot(), to a follower that needs compacted entries', () => {
    const s = storageFromSnapshot(11, 11, [1, 2])
    const r = newTestRaft(1, undefined, 10, 1, s)
    expect([...r.prs.keys()]).toEqual([1, 2])
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    // The follower rejects the probe and hints it has nothing: the leader's log starts at 12.
    const pr = r.prs.get(2)!
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: r.term, index: pr.next - 1, reject: true, rejectHint: 0 })
    const snaps = ofType(readMessages(r), MessageType.MsgSnapshot)
    expect(snaps.map((m) => m.to)).toEqual([2])
    expect(snaps[0]!.term).toBe(r.term)
    expect(snaps[0]!.snapshot?.metadata?.index).toBe(11)
    expect(snaps[0]!.snapshot?.metadata?.term).toBe(11)
    expect(snaps[0]!.snapshot?.data).toEqual(s.snapshot().data)
  })

  it('while Storage.snapshot() answers ErrSnapshotTemporarilyUnavailable, the leader retries later', () => {
    const s = new SlowSnapshotStorage(2)
    s.applySnapshot(snapshot(11, 11, [1, 2]))
    s.setHardState({ term: 11, commit: 11 })
    const r = newTestRaft(1, undefined, 10, 1, s)
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    const reject = (): void => {
      const pr = r.prs.get(2)!
      r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: r.term, index: pr.next - 1, reject: true, rejectHint: 0 })
    }
    reject()
    expect(ofType(readMessages(r), MessageType.MsgSnapshot)).toEqual([])
    expect(r.state).toBe(StateType.Leader)
    // The follower's heartbeat responses give the leader more chances.
    let snaps: Message[] = []
    for (let attempt = 0; attempt < 10 && snaps.length === 0; attempt++) {
      r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: r.term })
      snaps = ofType(readMessages(r), MessageType.MsgSnapshot)
    }
    expect(snaps.map((m) => [m.to, m.snapshot?.metadata?.index])).toEqual([[2, 11]])
    // Two refusals, then the snapshot that went out.
    expect(s.calls).toBe(3)
  })

  it('a follower restores a snapshot: log, commit, term and membership come from it', () => {
    const r = newTestRaft(1, [1, 2], 10, 1)
    r.step({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 12, snapshot: snapshot(11, 11, [1, 2, 3]) })
    expect(r.term).toBe(12)
    expect(r.lead).toBe(2)
    expect(r.raftLog.lastIndex()).toBe(11)
    expect(r.raftLog.term(11)).toBe(11)
    expect(r.raftLog.committed).toBe(11)
    expect([...r.prs.keys()].sort()).toEqual([1, 2, 3])
    expect(r.raftLog.pendingSnapshot?.metadata?.index).toBe(11)
    const resp = readMessages(r)
    expect(resp.map((m) => [m.msgType, m.to, m.index, m.reject ?? false])).toEqual([[MessageType.MsgAppendResponse, 2, 11, false]])
  })

  it('a snapshot no newer than the commit index is ignored, and the follower answers its commit', () => {
    const s = storageWithTerms([1, 1, 1])
    s.setHardState({ term: 1, commit: 3 })
    const r = newTestRaft(1, [1, 2], 10, 1, s)
    for (const index of [2, 3]) {
      r.step({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 1, snapshot: snapshot(index, 1, [1, 2]) })
      expect(r.raftLog.pendingSnapshot).toBeUndefined()
      expect(indexTerms(r.raftLog.allEntries())).toEqual([[1, 1], [2, 1], [3, 1]])
      expect(r.raftLog.committed).toBe(3)
      expect(readMessages(r).map((m) => [m.msgType, m.index])).toEqual([[MessageType.MsgAppendResponse, 3]])
    }
  })

  it('a snapshot matching an entry the follower already has just moves its commit forward', () => {
    const s = storageWithTerms([1, 1, 1])
    s.setHardState({ term: 1, commit: 1 })
    const r = newTestRaft(1, [1, 2], 10, 1, s)
    r.step({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 1, snapshot: snapshot(2, 1, [1, 2]) })
    expect(r.raftLog.committed).toBe(2)
    expect(r.raftLog.pendingSnapshot).toBeUndefined()
    expect(indexTerms(r.raftLog.allEntries())).toEqual([[1, 1], [2, 1], [3, 1]])
  })

  it('Ready.snapshot hands a received snapshot to the application once; after advance the log starts after it', () => {
    const storage = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1, 2], 10, 1, storage))
    rn.step({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 12, snapshot: snapshot(11, 11, [1, 2, 3]) })
    expect(rn.hasReady()).toBe(true)
    const rd = rn.ready()
    expect(rd.snapshot.metadata?.index).toBe(11)
    expect(rd.snapshot.metadata?.confState?.nodes).toEqual([1, 2, 3])
    expect(rd.hardState.commit).toBe(11)
    expect(rd.hardState.term).toBe(12)
    expect(rd.committedEntries).toEqual([])
    expect(ofType(rd.messages, MessageType.MsgAppendResponse).map((m) => m.index)).toEqual([11])
    storage.applySnapshot(rd.snapshot)
    storage.setHardState(rd.hardState)
    rn.advance(rd)
    expect(rn.hasReady()).toBe(false)
    expect(isEmptySnap(rn.ready().snapshot)).toBe(true)
    expect(rn.raft.raftLog.firstIndex()).toBe(12)
    expect(rn.raft.raftLog.lastIndex()).toBe(11)
    expect(rn.raft.raftLog.applied).toBe(11)
  })

  it('a follower cut off while the leader compacted its log catches up through a snapshot', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.isolate(3)
    for (let i = 0; i < 20; i++) nt.send(prop(1, `v${i}`))
    nt.persistAll()
    const lead = nt.raft(1)
    const ls = nt.storage.get(1)!
    const applied = lead.raftLog.applied
    expect(applied).toBe(21)
    ls.createSnapshot(applied, { nodes: [1, 2, 3] }, bytes('state'))
    ls.compact(applied)
    lead.raftLog.maybeCompact()
    expect(lead.raftLog.firstIndex()).toBe(22)
    nt.recover()
    // The heartbeat round shows 3 lags; its entries are gone, so it gets the snapshot, then the rest.
    nt.send(beat(1))
    nt.send(prop(1, 'after'))
    const follower = nt.raft(3)
    expect(follower.raftLog.committed).toBe(lead.raftLog.committed)
    expect(follower.raftLog.lastIndex()).toBe(22)
    expect(follower.raftLog.term(21)).toBe(1)
    expect(indexTerms(follower.raftLog.allEntries())).toEqual([[22, 1]])
    const snaps = nt.delivered.filter((m) => m.msgType === MessageType.MsgSnapshot)
    expect(snaps.map((m) => [m.to, m.snapshot?.metadata?.index])).toEqual([[3, 21]])
  })
})
