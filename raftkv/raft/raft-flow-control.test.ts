// Flow control (etcd-raft's Progress states): maxSizePerMsg bounds the entries of one
// MsgAppend, maxInflightMsgs bounds the appends in flight to a follower in replicate state,
// a probing follower gets one append at a time, and a follower receiving a snapshot gets none.
import { describe, expect, it } from 'vitest'
import { MemoryStorage, MessageType, RawNode, type Message, type Raft } from './index.js'
import { bytes, newTestConfig, newTestRaft, ofType, readMessages, type ConfigExtras } from './testing/helpers.js'
import { Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const prop = (id: number, data = 'x'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })
const appsTo = (msgs: Message[], to: number) => ofType(msgs, MessageType.MsgAppend).filter((m) => m.to === to)
const ack = (r: Raft, from: number, index: number): void =>
  r.step({ msgType: MessageType.MsgAppendResponse, from, to: r.id, term: r.term, index })

/** A leader of [1, 2] whose follower 2 has acked the no-op (so it is in replicate state). */
function replicatingLeader(extras: ConfigExtras): Raft {
  const r = newTestRaft(1, [1, 2], 5, 1, new MemoryStorage(), extras)
  r.becomeCandidate()
  r.becomeLeader()
  r.sendAppend(2)
  readMessages(r)
  ack(r, 2, 1)
  readMessages(r)
  return r
}

describe('flow control', () => {
  it('maxSizePerMsg limits the entries of one MsgAppend (always at least one)', () => {
    const big = 'v'.repeat(100)
    for (const [max, most] of [[250, 2], [10, 1]] as const) {
      const nt = new Network([null, null], { extras: { maxSizePerMsg: max } })
      nt.send(hup(1))
      nt.isolate(2)
      for (let i = 0; i < 10; i++) nt.send(prop(1, big))
      nt.recover()
      nt.send({ msgType: MessageType.MsgBeat, from: 1, to: 1 })
      const apps = nt.delivered.filter((m) => m.msgType === MessageType.MsgAppend && (m.entries?.length ?? 0) > 0)
      for (const m of apps) {
        const n = m.entries!.length
        expect(n).toBeLessThanOrEqual(most)
        if (n > 1) expect(m.entries!.reduce((s, e) => s + (e.data?.length ?? 0), 0)).toBeLessThanOrEqual(max)
      }
      // Everything still arrives.
      expect(nt.raft(2).raftLog.lastIndex()).toBe(11)
      expect(nt.raft(2).raftLog.committed).toBe(11)
    }
  })

  it('replicate state: at most maxInflightMsgs appends in flight; an ack opens the window again', () => {
    const r = replicatingLeader({ maxInflightMsgs: 3 })
    for (let i = 0; i < 3; i++) {
      r.step(prop(1))
      expect(appsTo(readMessages(r), 2).length).toBe(1)
    }
    // The window is full: more proposals are appended but not sent.
    for (let i = 0; i < 5; i++) {
      r.step(prop(1))
      expect(appsTo(readMessages(r), 2)).toEqual([])
    }
    expect(r.raftLog.lastIndex()).toBe(9)
    // The first append (entry 2) is acknowledged: the backlog goes out.
    ack(r, 2, 2)
    const apps = appsTo(readMessages(r), 2)
    expect(apps.length).toBeGreaterThan(0)
    expect(apps.flatMap((m) => m.entries ?? []).map((e) => e.index)).toEqual([5, 6, 7, 8, 9])
  })

  it('replicate state: a heartbeat response while the window is full lets one more append out', () => {
    const r = replicatingLeader({ maxInflightMsgs: 2 })
    r.step(prop(1))
    r.step(prop(1))
    r.step(prop(1))
    expect(appsTo(readMessages(r), 2).length).toBe(2)
    r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: r.term })
    const apps = appsTo(readMessages(r), 2)
    expect(apps.length).toBe(1)
    expect(apps[0]!.entries?.map((e) => e.index)).toEqual([4])
  })

  it('probe state: one append at a time until the follower answers or a heartbeat response comes', () => {
    const r = newTestRaft(1, [1, 2], 5, 1, new MemoryStorage(), { maxInflightMsgs: 16 })
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    r.step(prop(1))
    expect(appsTo(readMessages(r), 2).length).toBe(1)
    r.step(prop(1))
    r.step(prop(1))
    expect(appsTo(readMessages(r), 2)).toEqual([])
    r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: r.term })
    const apps = appsTo(readMessages(r), 2)
    expect(apps.length).toBe(1)
    // The probe still starts where the follower's log is believed to end.
    expect(apps[0]!.index).toBe(0)
  })

  it('without maxInflightMsgs (the classic default) every proposal is sent at once', () => {
    const r = newTestRaft(1, [1, 2], 5, 1)
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    for (let i = 0; i < 5; i++) {
      r.step(prop(1))
      expect(appsTo(readMessages(r), 2).length).toBe(1)
    }
  })

  describe('snapshot state', () => {
    /** A RawNode leader of [1, 2] whose log starts after a snapshot at 10, and 2 has nothing. */
    function snapshottingLeader(): RawNode {
      const s = new MemoryStorage()
      s.applySnapshot({ data: bytes('s'), metadata: { index: 10, term: 1, confState: { nodes: [1, 2] } } })
      s.setHardState({ term: 1, commit: 10 })
      const rn = new RawNode(newTestConfig(1, undefined, 5, 1, s, { maxInflightMsgs: 4 }))
      const r = rn.raft
      r.becomeCandidate()
      r.becomeLeader()
      readMessages(r)
      r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: r.term, index: r.prs.get(2)!.next - 1, reject: true, rejectHint: 0 })
      expect(ofType(readMessages(r), MessageType.MsgSnapshot).map((m) => m.to)).toEqual([2])
      return rn
    }

    it('no appends go to a follower while its snapshot is on the way', () => {
      const rn = snapshottingLeader()
      const r = rn.raft
      r.step(prop(1))
      r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: r.term })
      const out = readMessages(r)
      expect(appsTo(out, 2)).toEqual([])
      expect(ofType(out, MessageType.MsgSnapshot)).toEqual([])
    })

    it('once the follower acknowledges the snapshot, replication resumes', () => {
      const rn = snapshottingLeader()
      const r = rn.raft
      r.step(prop(1))
      readMessages(r)
      ack(r, 2, 10)
      const apps = appsTo(readMessages(r), 2)
      expect(apps.flatMap((m) => m.entries ?? []).map((e) => e.index)).toEqual([11, 12])
      // Replicating again: further proposals stream out.
      r.step(prop(1))
      expect(appsTo(readMessages(r), 2).length).toBe(1)
    })

    it('reportSnapshot(failed) sends the follower back to probing; it is retried', () => {
      const rn = snapshottingLeader()
      const r = rn.raft
      rn.reportSnapshot(2, true)
      expect(readMessages(r)).toEqual([])
      // The next heartbeat response shows the follower still lags: another snapshot goes out.
      r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: r.term })
      expect(ofType(readMessages(r), MessageType.MsgSnapshot).map((m) => m.to)).toEqual([2])
    })

    it('reportSnapshot(ok) waits for the follower\'s answer, then replicates', () => {
      const rn = snapshottingLeader()
      const r = rn.raft
      rn.reportSnapshot(2, false)
      expect(appsTo(readMessages(r), 2)).toEqual([])
      ack(r, 2, 10)
      expect(appsTo(readMessages(r), 2).flatMap((m) => m.entries ?? []).map((e) => e.index)).toEqual([11])
    })
  })

  it('reportUnreachable sends a replicating follower back to probing (one append at a time)', () => {
    const s = new MemoryStorage()
    const rn = new RawNode(newTestConfig(1, [1, 2], 5, 1, s, { maxInflightMsgs: 8 }))
    const r = rn.raft
    r.becomeCandidate()
    r.becomeLeader()
    r.sendAppend(2)
    readMessages(r)
    ack(r, 2, 1)
    readMessages(r)
    rn.reportUnreachable(2)
    r.step(prop(1))
    r.step(prop(1))
    r.step(prop(1))
    expect(appsTo(readMessages(r), 2).length).toBe(1)
  })
})
