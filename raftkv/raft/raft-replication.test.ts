// Log replication (§5.3, §5.4.2 of the Raft paper).
import { describe, expect, it } from 'vitest'
import { MessageType, None, StateType, type Message, type Raft } from './index.js'
import {
  bytes, indexTerms, newTestRaft, ofType, persistAndApply, readMessages, storageWithTerms, view,
} from './testing/helpers.js'
import { BlackHole, Network } from './testing/network.js'

const hup = (id: number): Message => ({ msgType: MessageType.MsgHup, from: id, to: id })
const beat = (id: number): Message => ({ msgType: MessageType.MsgBeat, from: id, to: id })
const prop = (id: number, data = 'some data'): Message => ({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [{ data: bytes(data) }] })
const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)

/** Answers every MsgAppend in msgs as its follower would if it accepted everything. */
function acceptAll(r: Raft, msgs: Message[], only?: number[]): void {
  for (const m of ofType(msgs, MessageType.MsgAppend)) {
    if (only && !only.includes(m.to ?? 0)) continue
    r.step({ msgType: MessageType.MsgAppendResponse, from: m.to, to: r.id, term: r.term, index: (m.index ?? 0) + (m.entries?.length ?? 0) })
  }
}

/** Makes r the leader of its peers and commits its no-op, as if every follower acked it. */
function electAndCommitNoop(r: Raft): void {
  r.becomeCandidate()
  r.becomeLeader()
  for (const id of r.prs.keys()) if (id !== r.id) r.sendAppend(id)
  acceptAll(r, readMessages(r))
  readMessages(r)
  persistAndApply(r, r.raftLog.storage as never)
}

describe('replication', () => {
  it('§5.3 the leader appends a command to its log, then sends AppendEntries to every follower', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    electAndCommitNoop(r)
    r.step(prop(1))
    expect(r.raftLog.lastIndex()).toBe(2)
    expect(indexTerms(r.raftLog.unstableEntries())).toEqual([[2, 1]])
    const msgs = readMessages(r).map(view).sort((a, b) => a.to - b.to)
    const app = (to: number) => view({
      msgType: MessageType.MsgAppend, from: 1, to, term: 1, index: 1, logTerm: 1, commit: 1,
      entries: [{ index: 2, term: 1, data: bytes('some data') }],
    })
    expect(msgs).toEqual([app(2), app(3)])
  })

  it('§5.3 an entry is committed once replicated on a majority; the leader then broadcasts the commit', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    electAndCommitNoop(r)
    r.step(prop(1))
    const apps = readMessages(r)
    acceptAll(r, apps, [2])
    expect(r.raftLog.committed).toBe(2)
    expect(persistAndApply(r, r.raftLog.storage as never).map((e) => [e.index, e.term])).toEqual([[2, 1]])
    // Both followers learn the new commit index, including 3 which has not answered yet.
    const commits = ofType(readMessages(r), MessageType.MsgAppend).map((m) => [m.to, m.commit]).sort()
    expect(commits).toEqual([[2, 2], [3, 2]])
  })

  describe('§5.3 the leader commits when a majority (itself included) has the entry', () => {
    const cases: { size: number; acceptors: number[]; commit: boolean }[] = [
      { size: 1, acceptors: [], commit: true },
      { size: 3, acceptors: [], commit: false },
      { size: 3, acceptors: [2], commit: true },
      { size: 3, acceptors: [2, 3], commit: true },
      { size: 5, acceptors: [], commit: false },
      { size: 5, acceptors: [2], commit: false },
      { size: 5, acceptors: [2, 3], commit: true },
      { size: 5, acceptors: [2, 3, 4], commit: true },
      { size: 5, acceptors: [2, 3, 4, 5], commit: true },
    ]
    for (const c of cases) {
      it(`${c.size} nodes, acks from ${JSON.stringify(c.acceptors)}: ${c.commit ? 'commits' : 'waits'}`, () => {
        const r = newTestRaft(1, ids(c.size), 10, 1)
        electAndCommitNoop(r)
        const li = r.raftLog.lastIndex()
        r.step(prop(1))
        acceptAll(r, readMessages(r), c.acceptors)
        expect(r.raftLog.committed > li).toBe(c.commit)
      })
    }
  })

  describe('§5.3 committing an entry commits every entry before it in the leader\'s log', () => {
    for (const terms of [[], [2], [1, 1], [1]]) {
      it(`preceding terms ${JSON.stringify(terms)}`, () => {
        const s = storageWithTerms(terms)
        s.setHardState({ term: 2 })
        const r = newTestRaft(1, [1, 2, 3], 10, 1, s)
        r.becomeCandidate()
        r.becomeLeader()
        r.step(prop(1))
        for (const id of [2, 3]) r.sendAppend(id)
        acceptAll(r, readMessages(r))
        const li = terms.length
        expect(persistAndApply(r, s).map((e) => [e.index, e.term, e.data?.length ?? 0])).toEqual([
          ...terms.map((t, i) => [i + 1, t, 0]), [li + 1, 3, 0], [li + 2, 3, 9],
        ])
      })
    }
  })

  it('§5.3 a follower commits what the leader says is committed, as far as its log goes', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.becomeFollower(1, 2)
    r.step({
      msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 0, logTerm: 0, commit: 1,
      entries: [{ index: 1, term: 1, data: bytes('a') }, { index: 2, term: 1, data: bytes('b') }],
    })
    expect(r.raftLog.committed).toBe(1)
    expect(persistAndApply(r, r.raftLog.storage as never).map((e) => e.index)).toEqual([1])
    // A commit index past what this append carries is capped at its last new entry.
    r.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 2, logTerm: 1, commit: 10 })
    expect(r.raftLog.committed).toBe(2)
  })

  describe('§5.3 the consistency check: a follower refuses an append whose previous entry it lacks', () => {
    // The follower holds (1,1) (2,2), with index 1 committed.
    const cases: { logTerm: number; index: number; reject: boolean; respIndex: number; hint?: number; why: string }[] = [
      { logTerm: 0, index: 0, reject: false, respIndex: 1, why: 'before the committed entries: answers its commit' },
      { logTerm: 1, index: 1, reject: false, respIndex: 1, why: 'matches a committed entry' },
      { logTerm: 2, index: 2, reject: false, respIndex: 2, why: 'matches an uncommitted entry' },
      { logTerm: 1, index: 2, reject: true, respIndex: 2, why: 'term mismatch at the previous index' },
      { logTerm: 3, index: 3, reject: true, respIndex: 3, hint: 2, why: 'previous index past the log: hints its last index' },
    ]
    for (const c of cases) {
      it(c.why, () => {
        const s = storageWithTerms([1, 2])
        s.setHardState({ term: 2, commit: 1 })
        const r = newTestRaft(1, [1, 2, 3], 10, 1, s)
        r.becomeFollower(2, 2)
        r.step({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 2, logTerm: c.logTerm, index: c.index, commit: 1 })
        const [resp, ...rest] = readMessages(r)
        expect(rest).toEqual([])
        expect(resp!.msgType).toBe(MessageType.MsgAppendResponse)
        expect(resp!.term).toBe(2)
        expect(resp!.reject).toBe(c.reject)
        expect(resp!.index).toBe(c.respIndex)
        if (c.reject) {
          // The hint lets the leader skip what cannot match: never past the follower's log.
          expect(resp!.rejectHint).toBeLessThanOrEqual(2)
          expect(resp!.rejectHint).toBeLessThan(c.index)
        }
        if (c.hint !== undefined) expect(resp!.rejectHint).toBe(c.hint)
        expect(indexTerms(r.raftLog.allEntries())).toEqual([[1, 1], [2, 2]])
      })
    }
  })

  describe('§5.3 conflict detection: a conflicting entry and all that follow it are replaced', () => {
    const cases: { index: number; logTerm: number; ents: [number, number][]; want: [number, number][]; unstable: [number, number][] }[] = [
      { index: 2, logTerm: 2, ents: [[3, 3]], want: [[1, 1], [2, 2], [3, 3]], unstable: [[3, 3]] },
      { index: 1, logTerm: 1, ents: [[2, 3], [3, 4]], want: [[1, 1], [2, 3], [3, 4]], unstable: [[2, 3], [3, 4]] },
      // Entries the follower already has change nothing.
      { index: 0, logTerm: 0, ents: [[1, 1]], want: [[1, 1], [2, 2]], unstable: [] },
      { index: 0, logTerm: 0, ents: [[1, 3]], want: [[1, 3]], unstable: [[1, 3]] },
    ]
    for (const c of cases) {
      it(`append ${JSON.stringify(c.ents)} after ${c.index}: ${JSON.stringify(c.want)}`, () => {
        const r = newTestRaft(1, [1, 2, 3], 10, 1, storageWithTerms([1, 2]))
        r.becomeFollower(2, 2)
        r.step({
          msgType: MessageType.MsgAppend, from: 2, to: 1, term: 2, logTerm: c.logTerm, index: c.index,
          entries: c.ents.map(([index, term]) => ({ index, term })),
        })
        expect(indexTerms(r.raftLog.allEntries())).toEqual(c.want)
        expect(indexTerms(r.raftLog.unstableEntries())).toEqual(c.unstable)
      })
    }
  })

  describe('§5.3 Figure 7: a new leader brings every kind of follower log in line with its own', () => {
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
    const followers: Record<string, number[]> = {
      a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 1, 4],
      c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 1, 4, 4, 4, 4],
      f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    }
    for (const [name, terms] of Object.entries(followers)) {
      it(`follower (${name})`, () => {
        const ls = storageWithTerms(leaderTerms)
        ls.setHardState({ term: 8 })
        const lead = newTestRaft(1, [1, 2, 3], 10, 1, ls)
        const fs = storageWithTerms(terms)
        fs.setHardState({ term: 7 })
        const follower = newTestRaft(2, [1, 2, 3], 10, 1, fs)
        const nt = new Network([lead, follower, new BlackHole()])
        nt.send(hup(1))
        // (d) has a longer log and refuses its vote: the black hole's vote elects 1 (term 9).
        nt.send({ msgType: MessageType.MsgRequestVoteResponse, from: 3, to: 1, term: 9 })
        expect(lead.state).toBe(StateType.Leader)
        nt.send(prop(1))
        expect(indexTerms(follower.raftLog.allEntries())).toEqual(indexTerms(lead.raftLog.allEntries()))
        expect(follower.raftLog.committed).toBe(12)
        expect(lead.raftLog.committed).toBe(12)
        // With the rejection hint, the leader skips a whole term per round trip at worst.
        const rejects = nt.delivered.filter((m) => m.msgType === MessageType.MsgAppendResponse && m.reject)
        expect(rejects.length).toBeLessThanOrEqual(4)
      })
    }
  })

  it('the rejection hint backs the leader up over a long divergent tail in a couple of round trips', () => {
    // Common prefix (1,1); the follower then has 50 entries of term 2, the leader 50 of term 3.
    const ls = storageWithTerms([1, ...Array<number>(50).fill(3)])
    ls.setHardState({ term: 3 })
    const fs = storageWithTerms([1, ...Array<number>(50).fill(2)])
    fs.setHardState({ term: 3 })
    const lead = newTestRaft(1, [1, 2, 3], 10, 1, ls)
    const follower = newTestRaft(2, [1, 2, 3], 10, 1, fs)
    const nt = new Network([lead, follower, new BlackHole()])
    nt.send(hup(1))
    expect(lead.state).toBe(StateType.Leader)
    expect(indexTerms(follower.raftLog.allEntries())).toEqual(indexTerms(lead.raftLog.allEntries()))
    const rejects = nt.delivered.filter((m) => m.msgType === MessageType.MsgAppendResponse && m.reject)
    expect(rejects.length).toBeGreaterThan(0)
    expect(rejects.length).toBeLessThanOrEqual(2)
  })

  describe('§5.4.2 a leader commits only entries of its current term by counting replicas', () => {
    const cases: { index: number; commit: number }[] = [
      { index: 1, commit: 0 },
      { index: 2, commit: 0 },
      { index: 3, commit: 3 },
    ]
    for (const c of cases) {
      it(`follower acks up to ${c.index}: commit ${c.commit}`, () => {
        const s = storageWithTerms([1, 2])
        const r = newTestRaft(1, [1, 2], 10, 1, s)
        r.becomeCandidate()
        r.becomeLeader()
        expect(r.term).toBe(3)
        readMessages(r)
        r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 3, index: c.index })
        expect(r.raftLog.committed).toBe(c.commit)
      })
    }
  })

  it('§5.4.2 entries of an old term are not committed by a new leader until an entry of its own term is', () => {
    const nt = new Network([null, null, null, null, null])
    nt.send(hup(1))
    // 1 reaches only 2: its two proposals are replicated on 1 and 2, not a majority.
    nt.cut(1, 3)
    nt.cut(1, 4)
    nt.cut(1, 5)
    nt.send(prop(1))
    nt.send(prop(1))
    expect(nt.raft(1).raftLog.committed).toBe(1)
    nt.recover()
    // 2 wins term 2 but its appends (the no-op too) are lost: nothing of term 1 may commit.
    nt.ignore(MessageType.MsgAppend)
    nt.send(hup(2))
    const r2 = nt.raft(2)
    expect(r2.state).toBe(StateType.Leader)
    expect(r2.raftLog.committed).toBe(1)
    nt.recover()
    // Heartbeat responses show the followers lag; the no-op of term 2 commits, and with it everything before.
    nt.send(beat(2))
    expect(r2.raftLog.committed).toBe(4)
    nt.send(prop(2))
    expect(r2.raftLog.committed).toBe(5)
    for (const id of ids(5)) expect(indexTerms(nt.raft(id).raftLog.allEntries())).toEqual(indexTerms(r2.raftLog.allEntries()))
  })

  it('§5.4.2 a new leader commits the old entries together with its no-op', () => {
    const nt = new Network([null, null, null, null, null])
    nt.send(hup(1))
    nt.cut(1, 3)
    nt.cut(1, 4)
    nt.cut(1, 5)
    nt.send(prop(1))
    nt.send(prop(1))
    expect(nt.raft(1).raftLog.committed).toBe(1)
    nt.recover()
    nt.send(hup(2))
    expect(nt.raft(2).raftLog.committed).toBe(4)
  })

  it('§5.4.2 Figure 8: an old-term entry on a majority stays uncommitted until an entry of the leader\'s term is', () => {
    // One entry per MsgAppend, so that the old entry can reach a majority on its own.
    const nt = new Network([null, null, null, null, null], { extras: { maxSizePerMsg: 1 } })
    nt.send(hup(1))
    // (a) S1 (term 1) replicates index 2 to S2 only.
    for (const id of [3, 4, 5]) nt.isolate(id)
    nt.send(prop(1, 'old'))
    nt.recover()
    // (b) S1 crashes; S5 wins term 2 with S3 and S4, its no-op (2@2) goes nowhere.
    nt.isolate(1)
    nt.ignore(MessageType.MsgAppend)
    nt.send(hup(5))
    expect(nt.raft(5).state).toBe(StateType.Leader)
    // (c) S5 crashes; S1 comes back and wins term 3 (its appends held back for now).
    nt.recover()
    nt.isolate(5)
    nt.ignore(MessageType.MsgAppend)
    const s1 = nt.raft(1)
    s1.becomeFollower(s1.term, None) // restarted: a follower of its last term
    // Its first try (term 2) meets voters that already voted in term 2; the next one wins.
    for (let i = 0; i < 3 && s1.state !== StateType.Leader; i++) nt.send(hup(1))
    expect(s1.state).toBe(StateType.Leader)
    expect(s1.term).toBe(3)
    // Deliver one message at a time (S5 stays down) and watch S1: index 2 (term 1) must not
    // commit before a majority also holds 3@3.
    const holds = (index: number, term: number) => [1, 2, 3, 4].filter((id) => {
      try {
        return nt.raft(id).raftLog.term(index) === term
      } catch {
        return false
      }
    }).length
    let sawOldOnMajorityAlone = false
    const queue: Message[] = [beat(1)]
    for (let steps = 0; queue.length > 0 && steps < 1000; steps++) {
      const m = queue.shift()!
      if (m.to === 5) continue
      const p = nt.raft(m.to ?? 0)
      p.step(m)
      queue.push(...readMessages(p))
      if (holds(2, 1) >= 3 && holds(3, 3) < 3) sawOldOnMajorityAlone = true
      if (s1.raftLog.committed >= 2) expect(holds(3, 3)).toBeGreaterThanOrEqual(3)
    }
    expect(sawOldOnMajorityAlone).toBe(true)
    expect(s1.raftLog.committed).toBe(3)
  })

  it('§5.4.2 Figure 8, step by step: the leader of term 3 does not commit 2@1 when S3 acknowledges it', () => {
    const s = storageWithTerms([1, 1])
    s.setHardState({ term: 2 })
    const r = newTestRaft(1, [1, 2, 3, 4, 5], 10, 1, s, { maxSizePerMsg: 1 })
    r.becomeCandidate()
    r.becomeLeader()
    expect(r.term).toBe(3)
    readMessages(r)
    // S2 and S3 both hold 2@1 (with S1: a majority) but not yet 3@3.
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 3, index: 2 })
    r.step({ msgType: MessageType.MsgAppendResponse, from: 3, to: 1, term: 3, index: 2 })
    expect(r.raftLog.committed).toBe(0)
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 3, index: 3 })
    expect(r.raftLog.committed).toBe(0)
    r.step({ msgType: MessageType.MsgAppendResponse, from: 3, to: 1, term: 3, index: 3 })
    expect(r.raftLog.committed).toBe(3)
  })

  it('heartbeats are separate from appends and carry only a commit index each follower can hold', () => {
    const s = storageWithTerms([1, 1, 1, 1, 1])
    s.setHardState({ term: 1, commit: 5 })
    const r = newTestRaft(1, [1, 2, 3], 10, 1, s)
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    r.prs.get(2)!.match = 5
    r.prs.get(2)!.next = 6
    r.prs.get(3)!.match = 2
    r.prs.get(3)!.next = 3
    r.step(beat(1))
    const msgs = readMessages(r).map(view).sort((a, b) => a.to - b.to)
    expect(msgs).toEqual([
      view({ msgType: MessageType.MsgHeartbeat, from: 1, to: 2, term: 2, commit: 5 }),
      view({ msgType: MessageType.MsgHeartbeat, from: 1, to: 3, term: 2, commit: 2 }),
    ])
  })

  it('a leader ticks out heartbeats every heartbeatTick, without entries', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 2)
    r.becomeCandidate()
    r.becomeLeader()
    readMessages(r)
    r.tick()
    expect(readMessages(r)).toEqual([])
    r.tick()
    const msgs = readMessages(r)
    expect(msgs.map((m) => [m.msgType, m.to, m.entries?.length ?? 0]).sort()).toEqual([
      [MessageType.MsgHeartbeat, 2, 0], [MessageType.MsgHeartbeat, 3, 0],
    ])
  })

  it('a follower takes the commit index of a heartbeat, never past its log and never backwards', () => {
    const s = storageWithTerms([1, 2, 3])
    s.setHardState({ term: 3, commit: 1 })
    const r = newTestRaft(1, [1, 2], 10, 1, s)
    r.becomeFollower(3, 2)
    r.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3, commit: 3 })
    expect(r.raftLog.committed).toBe(3)
    r.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3, commit: 1 })
    expect(r.raftLog.committed).toBe(3)
    r.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3, commit: 99 })
    expect(r.raftLog.committed).toBe(3)
    const resps = readMessages(r)
    expect(resps.map((m) => [m.msgType, m.to, m.term])).toEqual(Array(3).fill([MessageType.MsgHeartbeatResponse, 2, 3]))
  })

  it('a heartbeat response from a lagging follower makes the leader send it MsgAppend', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    electAndCommitNoop(r)
    r.step(prop(1))
    readMessages(r)
    r.step({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: 1 })
    const apps = ofType(readMessages(r), MessageType.MsgAppend)
    expect(apps.map((m) => m.to)).toEqual([2])
    expect(apps[0]!.entries?.map((e) => e.index)).toContain(2)
  })

  it('a follower that lost its log (a wiped disk) says so in its heartbeat response and is caught up again', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(prop(1, 'a'))
    nt.send(prop(1, 'b'))
    const lead = nt.raft(1)
    expect(lead.prs.get(3)!.match).toBe(3)
    // Node 3 comes back empty.
    const wiped = newTestRaft(3, [1, 2, 3], 10, 1)
    nt.peers.set(3, wiped)
    nt.send(beat(1))
    expect(indexTerms(wiped.raftLog.allEntries())).toEqual(indexTerms(lead.raftLog.allEntries()))
    expect(wiped.raftLog.committed).toBe(3)
    expect(lead.prs.get(3)!.match).toBe(3)
  })

  it('replicates and commits through leader changes on a network', () => {
    const nt = new Network([null, null, null])
    nt.send(hup(1))
    nt.send(prop(1, 'a'))
    nt.send(hup(2))
    nt.send(prop(2, 'b'))
    for (const id of [1, 2, 3]) {
      const r = nt.raft(id)
      expect(r.raftLog.committed).toBe(4)
      expect(r.raftLog.allEntries().map((e) => [e.index, e.term, new TextDecoder().decode(e.data ?? new Uint8Array())])).toEqual([
        [1, 1, ''], [2, 1, 'a'], [3, 2, ''], [4, 2, 'b'],
      ])
    }
  })

  it('a stale append response (an old index, or from an older term) changes nothing', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1)
    r.becomeFollower(1, None)
    electAndCommitNoop(r)
    expect(r.term).toBe(2)
    r.step(prop(1))
    readMessages(r)
    const before = { match: r.prs.get(2)!.match, commit: r.raftLog.committed }
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 2 })
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 2, index: 0, reject: true, rejectHint: 0 })
    expect(r.prs.get(2)!.match).toBe(before.match)
    expect(r.raftLog.committed).toBe(before.commit)
    expect(r.state).toBe(StateType.Leader)
  })
})
