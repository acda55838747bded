// The classic (TinyKV Project 2A/2B/2C/3A) behaviours, checked through the public surface
// on a tiny synchronous network: messages are delivered in order until none are left.
import { describe, it, expect } from 'vitest'
import {
  newRaft, RawNode, MemoryStorage, MessageType, EntryType, ConfChangeType, StateType, None,
  ErrProposalDropped, encodeConfChange, type Raft, type Message, type Entry,
} from './index.js'

type Peer = Raft | 'hole' | null

class Net {
  peers = new Map<number, Raft | 'hole'>()
  storage = new Map<number, MemoryStorage>()
  drops = new Set<string>()
  ignored = new Set<number>()
  constructor(...ps: Peer[]) {
    const ids = ps.map((_, i) => i + 1)
    ps.forEach((p, i) => {
      const id = i + 1
      if (p === null) {
        const s = new MemoryStorage()
        this.storage.set(id, s)
        this.peers.set(id, newRaft({ id, peers: ids, electionTick: 10, heartbeatTick: 1, storage: s }))
      } else if (p === 'hole') {
        this.peers.set(id, 'hole')
      } else {
        p.id = id
        this.peers.set(id, p)
      }
    })
  }
  send(...msgs: Message[]): void {
    const q = [...msgs]
    while (q.length > 0) {
      const m = q.shift()!
      const p = this.peers.get(m.to ?? 0)
      if (!p || p === 'hole') continue
      try { p.step(m) } catch (e) { if (e !== ErrProposalDropped) throw e }
      const out = p.msgs
      p.msgs = []
      for (const o of out) {
        if (this.ignored.has(o.msgType ?? 0)) continue
        if (this.drops.has(`${o.from}-${o.to}`)) continue
        q.push(o)
      }
    }
  }
  isolate(id: number): void {
    for (const other of this.peers.keys()) if (other !== id) { this.drops.add(`${id}-${other}`); this.drops.add(`${other}-${id}`) }
  }
  cut(a: number, b: number): void { this.drops.add(`${a}-${b}`); this.drops.add(`${b}-${a}`) }
  recover(): void { this.drops.clear(); this.ignored.clear() }
  raft(id: number): Raft { return this.peers.get(id) as Raft }
}

const hup = (id: number): Message => ({ from: id, to: id, msgType: MessageType.MsgHup })
const prop = (id: number, data?: Uint8Array): Message => ({ from: id, to: id, msgType: MessageType.MsgPropose, entries: [data ? { data } : {}] })
const enc = (s: string) => new TextEncoder().encode(s)
const nodes = (r: Raft) => [...r.prs.keys()].sort((a, b) => a - b)

function nextEnts(r: Raft, s: MemoryStorage): Entry[] {
  s.append(r.raftLog.unstableEntries())
  r.raftLog.stabled = r.raftLog.lastIndex()
  const ents = r.raftLog.nextEnts()
  r.raftLog.applied = r.raftLog.committed
  return ents
}

describe('election', () => {
  it('elects a leader when a majority answers, stays candidate otherwise', () => {
    const cases: [Peer[], StateType][] = [
      [[null, null, null], StateType.Leader],
      [[null, null, 'hole'], StateType.Leader],
      [[null, 'hole', 'hole'], StateType.Candidate],
      [[null, 'hole', 'hole', null], StateType.Candidate],
      [[null, 'hole', 'hole', null, null], StateType.Leader],
    ]
    for (const [ps, want] of cases) {
      const n = new Net(...ps)
      n.send(hup(1))
      expect(n.raft(1).state).toBe(want)
      expect(n.raft(1).term).toBe(1)
    }
  })

  it('lets every node campaign in turn', () => {
    const n = new Net(null, null, null)
    for (let c = 1; c <= 3; c++) {
      n.send(hup(c))
      for (let id = 1; id <= 3; id++) expect(n.raft(id).state).toBe(id === c ? StateType.Leader : StateType.Follower)
    }
  })

  it('overwrites newer uncommitted entries when a less recent log wins (§5.4.1 allows it)', () => {
    const peers = [1, 2, 3, 4, 5]
    const withEnts = (...terms: number[]) => {
      const s = new MemoryStorage()
      terms.forEach((t, i) => s.append([{ index: i + 1, term: t }]))
      const r = newRaft({ id: 1, peers, electionTick: 5, heartbeatTick: 1, storage: s })
      r.term = terms[terms.length - 1]!
      return r
    }
    const voted = (vote: number, term: number) => {
      const s = new MemoryStorage()
      s.setHardState({ vote, term })
      const r = newRaft({ id: 1, peers, electionTick: 5, heartbeatTick: 1, storage: s })
      r.term = term
      return r
    }
    const n = new Net(withEnts(1), withEnts(1), withEnts(2), voted(3, 2), voted(3, 2))
    n.send(hup(1))
    expect(n.raft(1).state).toBe(StateType.Follower)
    expect(n.raft(1).term).toBe(2)
    n.send(hup(1))
    expect(n.raft(1).state).toBe(StateType.Leader)
    expect(n.raft(1).term).toBe(3)
    for (let id = 1; id <= 5; id++) {
      const ents = n.raft(id).raftLog.allEntries()
      expect(ents.map((e) => e.term)).toEqual([1, 3])
    }
  })

  it('a stale leader steps down on hearing a higher term from a disruptive follower', () => {
    const mk = (id: number) => newRaft({ id, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    const [n1, n2, n3] = [mk(1), mk(2), mk(3)]
    for (const r of [n1, n2, n3]) r.becomeFollower(1, None)
    const n = new Net(n1, n2, n3)
    n.send(hup(1))
    expect(n1.state).toBe(StateType.Leader)
    while (n3.state !== StateType.Candidate) n3.tick()
    expect(n3.term).toBe(3)
    n.send({ from: 1, to: 3, term: n1.term, msgType: MessageType.MsgHeartbeat })
    expect(n1.state).toBe(StateType.Follower)
    expect(n1.term).toBe(3)
  })

  it('randomizes the election timeout in [et, 2et)', () => {
    const r = newRaft({ id: 1, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    const seen = new Set<number>()
    for (let round = 0; round < 500; round++) {
      r.becomeFollower(r.term + 1, 2)
      let t = 0
      while (r.msgs.length === 0) { r.tick(); t++ }
      r.msgs = []
      seen.add(t)
    }
    for (const t of seen) { expect(t).toBeGreaterThanOrEqual(10); expect(t).toBeLessThan(20) }
    for (let d = 11; d < 20; d++) expect(seen.has(d)).toBe(true)
  })

  it('a single node campaigning while leader stays leader in the same term', () => {
    const r = newRaft({ id: 1, peers: [1], electionTick: 5, heartbeatTick: 1, storage: new MemoryStorage() })
    r.step(hup(1))
    expect(r.state).toBe(StateType.Leader)
    const term = r.term
    r.step(hup(1))
    expect(r.term).toBe(term)
  })
})

describe('replication', () => {
  it('leader sends heartbeats with a safe commit index and no entries', () => {
    const r = newRaft({ id: 1, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    r.becomeCandidate()
    r.becomeLeader()
    r.step({ msgType: MessageType.MsgPropose, entries: [{}] })
    r.msgs = []
    r.tick()
    const msgs = r.msgs.sort((a, b) => (a.to ?? 0) - (b.to ?? 0))
    expect(msgs).toEqual([
      { from: 1, to: 2, term: 1, msgType: MessageType.MsgHeartbeat },
      { from: 1, to: 3, term: 1, msgType: MessageType.MsgHeartbeat },
    ])
  })

  it('a proposal is appended and replicated in one MsgAppend per follower', () => {
    const s = new MemoryStorage()
    const r = newRaft({ id: 1, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: s })
    r.becomeCandidate()
    r.becomeLeader()
    for (const id of [2, 3]) r.sendAppend(id)
    for (const m of r.msgs.splice(0)) r.step({ from: m.to, to: m.from, term: m.term, msgType: MessageType.MsgAppendResponse, index: (m.index ?? 0) + (m.entries?.length ?? 0) })
    r.msgs = []
    s.append(r.raftLog.unstableEntries())
    r.raftLog.applied = r.raftLog.committed
    r.raftLog.stabled = r.raftLog.lastIndex()
    const li = r.raftLog.lastIndex()
    r.step({ from: 1, to: 1, msgType: MessageType.MsgPropose, entries: [{ data: enc('some data') }] })
    expect(r.raftLog.lastIndex()).toBe(li + 1)
    expect(r.raftLog.committed).toBe(li)
    const ent = { index: li + 1, term: 1, data: enc('some data') }
    const msgs = r.msgs.sort((a, b) => (a.to ?? 0) - (b.to ?? 0))
    expect(msgs).toEqual([
      { from: 1, to: 2, term: 1, msgType: MessageType.MsgAppend, index: li, logTerm: 1, entries: [ent], commit: li },
      { from: 1, to: 3, term: 1, msgType: MessageType.MsgAppend, index: li, logTerm: 1, entries: [ent], commit: li },
    ])
    expect(r.raftLog.unstableEntries()).toEqual([ent])
  })

  it('handles MsgAppend: conflicts, commit up to the last new entry', () => {
    const cases: [Message, number, number, boolean][] = [
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 3, index: 2, commit: 3 }, 2, 0, true],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 3, index: 3, commit: 3 }, 2, 0, true],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 1, index: 1, commit: 1 }, 2, 1, false],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 0, index: 0, commit: 1, entries: [{ index: 1, term: 2 }] }, 1, 1, false],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 2, index: 2, commit: 3, entries: [{ index: 3, term: 2 }, { index: 4, term: 2 }] }, 4, 3, false],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 2, index: 2, commit: 4, entries: [{ index: 3, term: 2 }] }, 3, 3, false],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 1, index: 1, commit: 4, entries: [{ index: 2, term: 2 }] }, 2, 2, false],
      [{ msgType: MessageType.MsgAppend, term: 1, logTerm: 1, index: 1, commit: 3 }, 2, 1, false],
      [{ msgType: MessageType.MsgAppend, term: 1, logTerm: 1, index: 1, commit: 3, entries: [{ index: 2, term: 2 }] }, 2, 2, false],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 2, index: 2, commit: 3 }, 2, 2, false],
      [{ msgType: MessageType.MsgAppend, term: 2, logTerm: 2, index: 2, commit: 4 }, 2, 2, false],
    ]
    for (const [m, wIndex, wCommit, wReject] of cases) {
      const s = new MemoryStorage()
      s.append([{ index: 1, term: 1 }, { index: 2, term: 2 }])
      const r = newRaft({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage: s })
      r.becomeFollower(2, None)
      r.handleAppendEntries(m)
      expect(r.raftLog.lastIndex()).toBe(wIndex)
      expect(r.raftLog.committed).toBe(wCommit)
      expect(r.msgs).toHaveLength(1)
      expect(r.msgs[0]!.reject).toBe(wReject)
    }
  })

  it('a leader commits and followers learn it; next index grows past the no-op', () => {
    const s = new MemoryStorage()
    s.append([{ term: 1, index: 1 }, { term: 1, index: 2 }, { term: 1, index: 3 }])
    const sm = newRaft({ id: 1, peers: [1, 2], electionTick: 10, heartbeatTick: 1, storage: s })
    const n = new Net(sm, null, null)
    n.send(hup(1))
    n.send(prop(1, enc('somedata')))
    expect(sm.prs.get(2)!.next).toBe(6)
  })

  it('counts self progress on the leader', () => {
    const r = newRaft({ id: 1, peers: [1, 2], electionTick: 5, heartbeatTick: 1, storage: new MemoryStorage() })
    r.becomeCandidate()
    r.becomeLeader()
    const m: Message = { from: 1, to: 1, msgType: MessageType.MsgPropose, entries: [{ data: enc('foo') }] }
    for (let i = 0; i < 5; i++) {
      const pr = r.prs.get(1)!
      expect(pr.match).toBe(i + 1)
      expect(pr.next).toBe(pr.match + 1)
      r.step(m)
    }
  })

  it('forwards proposals from followers and commits across the cluster', () => {
    const n = new Net(null, null, null)
    n.send(hup(1))
    n.send(prop(2, enc('somedata')))
    for (let id = 1; id <= 3; id++) {
      expect(n.raft(id).raftLog.committed).toBe(2)
    }
  })

  it('heartbeats update followers to a safe commit only', () => {
    for (const [fail, ok] of [[1, 1], [5, 3], [5, 10]] as const) {
      const mk = (id: number) => newRaft({ id, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
      const [a, b, c] = [mk(1), mk(2), mk(3)]
      const n = new Net(a, b, c)
      n.send(hup(1))
      n.isolate(1)
      for (let i = 0; i < fail; i++) n.send(prop(1))
      expect(a.raftLog.committed).toBeLessThanOrEqual(1)
      n.send(hup(2))
      for (let i = 0; i < ok; i++) n.send(prop(2))
      expect(b.raftLog.committed).toBe(2 + ok)
      expect(c.raftLog.committed).toBe(2 + ok)
      n.recover()
      n.ignored.add(MessageType.MsgAppend)
      n.send({ from: 2, to: 2, msgType: MessageType.MsgBeat })
      expect(a.raftLog.committed).toBeLessThanOrEqual(1)
    }
  })
})

describe('snapshots', () => {
  const snap = (index: number, term: number, nodes: number[]) => ({ metadata: { index, term, confState: { nodes } } })

  it('restores a snapshot: last index, term and membership', () => {
    const r = newRaft({ id: 1, peers: [1, 2], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    r.handleSnapshot({ snapshot: snap(11, 11, [1, 2, 3]) })
    expect(r.raftLog.lastIndex()).toBe(11)
    expect(r.raftLog.term(11)).toBe(11)
    expect(nodes(r)).toEqual([1, 2, 3])
  })

  it('ignores a snapshot that is not newer than the commit index', () => {
    const r = newRaft({ id: 1, peers: [1, 2], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    r.raftLog.entries = [{ term: 1, index: 1 }, { term: 1, index: 2 }, { term: 1, index: 3 }]
    r.raftLog.committed = 1
    r.handleSnapshot({ snapshot: snap(1, 1, [1, 2]) })
    expect(r.raftLog.committed).toBe(1)
  })

  it('sends a snapshot to a follower that needs compacted entries', () => {
    const r = newRaft({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    r.handleSnapshot({ snapshot: snap(11, 11, [1, 2]) })
    r.becomeCandidate()
    r.becomeLeader()
    r.msgs = []
    r.prs.get(2)!.next = 10
    r.step({ from: 2, to: 1, msgType: MessageType.MsgPropose, entries: [{ data: enc('somedata') }] })
    expect(r.msgs).toHaveLength(1)
    expect(r.msgs[0]!.msgType).toBe(MessageType.MsgSnapshot)
  })

  it('learns the leader from a snapshot message', () => {
    const r = newRaft({ id: 2, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    r.step({ msgType: MessageType.MsgSnapshot, from: 1, term: 2, snapshot: snap(11, 11, [2, 3, 4]) })
    expect(r.lead).toBe(1)
    expect(nodes(r)).toEqual([2, 3, 4])
  })

  it('brings a slow node back through a snapshot', () => {
    const n = new Net(null, null, null)
    n.send(hup(1))
    n.isolate(3)
    for (let j = 0; j <= 100; j++) n.send(prop(1))
    const lead = n.raft(1)
    nextEnts(lead, n.storage.get(1)!)
    n.storage.get(1)!.createSnapshot(lead.raftLog.applied, { nodes: nodes(lead) }, new Uint8Array())
    n.storage.get(1)!.compact(lead.raftLog.applied)
    lead.raftLog.maybeCompact()
    n.recover()
    n.send({ from: 1, to: 1, msgType: MessageType.MsgBeat })
    n.send(prop(1))
    n.send(prop(1))
    expect(n.raft(3).raftLog.committed).toBe(lead.raftLog.committed)
  })
})

describe('membership', () => {
  it('adds and removes nodes', () => {
    const r = newRaft({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    r.addNode(2)
    expect(nodes(r)).toEqual([1, 2])
    r.removeNode(2)
    expect(nodes(r)).toEqual([1])
    r.removeNode(1)
    expect(nodes(r)).toEqual([])
  })

  it('commits a pending entry once removing a node shrinks the quorum', () => {
    const s = new MemoryStorage()
    const r = newRaft({ id: 1, peers: [1, 2], electionTick: 5, heartbeatTick: 1, storage: s })
    r.becomeCandidate()
    r.becomeLeader()
    const cc = encodeConfChange({ changeType: ConfChangeType.RemoveNode, nodeId: 2 })
    r.step({ msgType: MessageType.MsgPropose, entries: [{ entryType: EntryType.EntryConfChange, data: cc }] })
    expect(nextEnts(r, s)).toEqual([])
    const ccIndex = r.raftLog.lastIndex()
    r.step({ msgType: MessageType.MsgPropose, entries: [{ entryType: EntryType.EntryNormal, data: enc('hello') }] })
    r.step({ msgType: MessageType.MsgAppendResponse, from: 2, index: ccIndex, term: r.term })
    const ents = nextEnts(r, s)
    expect(ents).toHaveLength(2)
    expect(ents[0]!.entryType).toBe(EntryType.EntryNormal)
    expect(ents[0]!.data ?? null).toBeNull()
    expect(ents[1]!.entryType).toBe(EntryType.EntryConfChange)
    r.removeNode(2)
    const after = nextEnts(r, s)
    expect(after).toHaveLength(1)
    expect(new TextDecoder().decode(after[0]!.data!)).toBe('hello')
  })
})

describe('leader transfer', () => {
  const transfer = (from: number, to: number): Message => ({ from, to, msgType: MessageType.MsgTransferLeader })
  const check = (r: Raft, state: StateType, lead: number) => { expect(r.state).toBe(state); expect(r.lead).toBe(lead) }

  it('transfers to an up-to-date node and back', () => {
    const n = new Net(null, null, null)
    n.send(hup(1))
    const lead = n.raft(1)
    n.send(transfer(2, 1))
    check(lead, StateType.Follower, 2)
    n.send(prop(1))
    n.send(transfer(1, 2))
    check(lead, StateType.Leader, 1)
  })

  it('a follower forwards the transfer request to the leader', () => {
    const n = new Net(null, null, null)
    n.send(hup(1))
    const lead = n.raft(1)
    n.send(transfer(2, 2))
    check(lead, StateType.Follower, 2)
    n.send(prop(1))
    n.send(transfer(1, 1))
    check(lead, StateType.Leader, 1)
  })

  it('catches a slow follower up first, also through a snapshot', () => {
    const n = new Net(null, null, null)
    n.send(hup(1))
    n.isolate(3)
    n.send(prop(1))
    const lead = n.raft(1)
    nextEnts(lead, n.storage.get(1)!)
    n.storage.get(1)!.createSnapshot(lead.raftLog.applied, { nodes: nodes(lead) }, new Uint8Array())
    n.storage.get(1)!.compact(lead.raftLog.applied)
    n.recover()
    expect(lead.prs.get(3)!.match).toBe(1)
    n.send(transfer(3, 1))
    n.send({ from: 3, to: 1, msgType: MessageType.MsgHeartbeatResponse, term: lead.term })
    check(lead, StateType.Follower, 3)
  })

  it('ignores transfers to self, to unknown or removed nodes; refuses proposals meanwhile', () => {
    const n = new Net(null, null, null)
    n.send(hup(1))
    const lead = n.raft(1)
    n.send(transfer(1, 1))
    check(lead, StateType.Leader, 1)
    n.send(transfer(4, 1))
    check(lead, StateType.Leader, 1)
    n.isolate(3)
    n.send(transfer(3, 1))
    expect(lead.leadTransferee).toBe(3)
    expect(() => lead.step(prop(1))).toThrow(ErrProposalDropped)
    for (let i = 0; i < lead.electionTimeout; i++) lead.tick()
    expect(lead.leadTransferee).toBe(None)
    n.send(transfer(2, 1))
    check(lead, StateType.Follower, 2)
  })

  it('a node that is not a member does not campaign on MsgTimeoutNow', () => {
    const r = newRaft({ id: 1, peers: [2, 3, 4], electionTick: 5, heartbeatTick: 1, storage: new MemoryStorage() })
    r.step({ from: 2, to: 1, msgType: MessageType.MsgTimeoutNow, term: r.term })
    r.step({ from: 2, to: 1, msgType: MessageType.MsgRequestVoteResponse, term: r.term })
    r.step({ from: 3, to: 1, msgType: MessageType.MsgRequestVoteResponse, term: r.term })
    expect(r.state).toBe(StateType.Follower)
  })
})

describe('RawNode', () => {
  it('starts, campaigns, commits a proposal in one Ready, and has nothing left', () => {
    const s = new MemoryStorage()
    const rn = new RawNode({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage: s })
    rn.campaign()
    let rd = rn.ready()
    s.append(rd.entries)
    rn.advance(rd)
    rn.propose(enc('foo'))
    rd = rn.ready()
    expect(rd.entries).toHaveLength(1)
    expect(rd.committedEntries).toHaveLength(1)
    expect(rd.entries[0]!.data).toEqual(enc('foo'))
    s.append(rd.entries)
    rn.advance(rd)
    expect(rn.hasReady()).toBe(false)
  })

  it('restarts from storage and hands out the committed entries', () => {
    const entries = [{ term: 1, index: 1 }, { term: 1, index: 2, data: enc('foo') }]
    const s = new MemoryStorage()
    s.setHardState({ term: 1, commit: 1 })
    s.append(entries)
    const rn = new RawNode({ id: 1, electionTick: 10, heartbeatTick: 1, storage: s })
    const rd = rn.ready()
    expect(rd.entries).toEqual([])
    expect(rd.committedEntries).toEqual(entries.slice(0, 1))
    expect(rd.messages).toEqual([])
    expect(rd.softState).toBeUndefined()
    expect(rd.hardState).toEqual({ term: 0, vote: 0, commit: 0 })
    rn.advance(rd)
    expect(rn.hasReady()).toBe(false)
  })

  it('restarts from a snapshot', () => {
    const s = new MemoryStorage()
    s.setHardState({ term: 1, commit: 3 })
    s.applySnapshot({ metadata: { confState: { nodes: [1, 2] }, index: 2, term: 1 } })
    const entries = [{ term: 1, index: 3, data: enc('foo') }]
    s.append(entries)
    const rn = new RawNode({ id: 1, electionTick: 10, heartbeatTick: 1, storage: s })
    const rd = rn.ready()
    expect(rd.committedEntries).toEqual(entries)
    expect(rd.entries).toEqual([])
  })

  it('accepts a conf change after the previous one applied, one at a time', () => {
    const s = new MemoryStorage()
    const rn = new RawNode({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage: s })
    let rd = rn.ready()
    s.append(rd.entries)
    rn.advance(rd)
    rn.campaign()
    for (;;) {
      rd = rn.ready()
      s.append(rd.entries)
      rn.advance(rd)
      if (rd.softState?.lead === 1) break
    }
    const apply = (nodeId: number) => {
      rn.proposeConfChange({ changeType: ConfChangeType.AddNode, nodeId })
      rd = rn.ready()
      s.append(rd.entries)
      for (const e of rd.committedEntries) if (e.entryType === EntryType.EntryConfChange) rn.applyConfChange({ changeType: ConfChangeType.AddNode, nodeId })
      rn.advance(rd)
    }
    apply(1)
    apply(1)
    apply(2)
    const last = s.lastIndex()
    const ents = s.entries(last - 2, last + 1)
    expect(ents).toHaveLength(3)
    expect(ents[2]!.data).toEqual(encodeConfChange({ changeType: ConfChangeType.AddNode, nodeId: 2 }))
  })
})
