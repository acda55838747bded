// Every name of raft-api.md is exported from raftkv/raft/index.ts with the documented shape.
import { describe, expect, it } from 'vitest'
import * as api from './index.js'

const { MemoryStorage, RawNode, newRaft, newMemoryStorageWithEnts, MessageType, EntryType, ConfChangeType, StateType } = api

describe('raft-api.md contract', () => {
  it('exports the constants, enums, functions, classes and sentinel errors', () => {
    expect(api.None).toBe(0)
    expect([StateType.Follower, StateType.Candidate, StateType.Leader]).toEqual([0, 1, 2])
    expect([MessageType.MsgHup, MessageType.MsgBeat, MessageType.MsgPropose, MessageType.MsgAppend, MessageType.MsgAppendResponse,
      MessageType.MsgRequestVote, MessageType.MsgRequestVoteResponse, MessageType.MsgSnapshot, MessageType.MsgHeartbeat,
      MessageType.MsgHeartbeatResponse, MessageType.MsgTransferLeader, MessageType.MsgTimeoutNow]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12])
    expect([EntryType.EntryNormal, EntryType.EntryConfChange]).toEqual([0, 1])
    expect([ConfChangeType.AddNode, ConfChangeType.RemoveNode]).toEqual([0, 1])
    for (const f of [newRaft, newMemoryStorageWithEnts]) expect(typeof f).toBe('function')
    for (const c of [api.Raft, api.RaftLog, MemoryStorage, RawNode]) expect(typeof c).toBe('function')
    for (const e of [api.ErrCompacted, api.ErrUnavailable, api.ErrSnapOutOfDate, api.ErrSnapshotTemporarilyUnavailable,
      api.ErrProposalDropped, api.ErrStepLocalMsg, api.ErrStepPeerNotFound]) {
      expect(e).toBeInstanceOf(Error)
      expect(e).toBeInstanceOf(api.RaftError)
    }
  })

  it('Raft, RaftLog, MemoryStorage and RawNode carry the documented fields and methods', () => {
    const storage = new MemoryStorage()
    expect(storage.ents).toEqual([{ index: 0, term: 0 }])
    for (const m of ['initialState', 'entries', 'term', 'lastIndex', 'firstIndex', 'snapshot', 'setHardState', 'applySnapshot', 'createSnapshot', 'compact', 'append']) {
      expect(typeof (storage as unknown as Record<string, unknown>)[m], m).toBe('function')
    }
    const r = newRaft({ id: 1, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage })
    const fields: Record<string, string> = {
      id: 'number', term: 'number', vote: 'number', lead: 'number', state: 'number', heartbeatTimeout: 'number', electionTimeout: 'number',
      heartbeatElapsed: 'number', electionElapsed: 'number', leadTransferee: 'number', pendingConfIndex: 'number',
    }
    for (const [k, t] of Object.entries(fields)) expect(typeof (r as unknown as Record<string, unknown>)[k], k).toBe(t)
    expect(r.prs).toBeInstanceOf(Map)
    expect([...r.prs.keys()]).toEqual([1, 2, 3])
    expect(r.prs.get(1)).toMatchObject({ match: expect.any(Number), next: expect.any(Number) })
    expect(r.votes).toBeInstanceOf(Map)
    expect(Array.isArray(r.msgs)).toBe(true)
    expect(r.term).toBe(0)
    for (const m of ['step', 'tick', 'becomeFollower', 'becomeCandidate', 'becomeLeader', 'sendAppend', 'handleAppendEntries',
      'handleHeartbeat', 'handleSnapshot', 'addNode', 'removeNode', 'softState', 'hardState']) {
      expect(typeof (r as unknown as Record<string, unknown>)[m], m).toBe('function')
    }
    const log = r.raftLog
    expect(log.storage).toBe(storage)
    for (const k of ['committed', 'applied', 'stabled']) expect(typeof (log as unknown as Record<string, unknown>)[k], k).toBe('number')
    expect(Array.isArray(log.entries)).toBe(true)
    for (const m of ['firstIndex', 'lastIndex', 'lastTerm', 'term', 'allEntries', 'unstableEntries', 'nextEnts', 'maybeCompact']) {
      expect(typeof (log as unknown as Record<string, unknown>)[m], m).toBe('function')
    }
    // raftLog and state are plain assignable fields.
    const other = newRaft({ id: 2, peers: [1, 2], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    other.raftLog = r.raftLog
    other.state = StateType.Candidate
    expect(other.raftLog).toBe(r.raftLog)
    const rn = new RawNode({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage: new MemoryStorage() })
    expect(rn.raft).toBeInstanceOf(api.Raft)
    for (const m of ['tick', 'campaign', 'propose', 'proposeConfChange', 'applyConfChange', 'step', 'ready', 'hasReady', 'advance', 'getProgress', 'transferLeader']) {
      expect(typeof (rn as unknown as Record<string, unknown>)[m], m).toBe('function')
    }
    const rd = rn.ready()
    expect(rd).toMatchObject({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [], committedEntries: [], messages: [] })
    expect(rd.snapshot.metadata?.index ?? 0).toBe(0)
    expect(rd.softState).toBeUndefined()
  })

  it('accepts a minimal config and plain-object messages; an EntryConfChange carries an encoded ConfChange', () => {
    const storage = new MemoryStorage()
    const rn = new RawNode({ id: 1, peers: [1], electionTick: 10, heartbeatTick: 1, storage })
    rn.raft.step({ msgType: MessageType.MsgHup, from: 1, to: 1 })
    expect(rn.raft.state).toBe(StateType.Leader)
    const cc = { changeType: ConfChangeType.AddNode, nodeId: 2 }
    rn.proposeConfChange(cc)
    const last = rn.raft.raftLog.entries[rn.raft.raftLog.entries.length - 1]!
    expect(last.entryType).toBe(EntryType.EntryConfChange)
    expect(api.decodeConfChange(last.data!)).toMatchObject(cc)
    expect(() => newRaft({ id: 0, electionTick: 10, heartbeatTick: 1, storage })).toThrow(api.InvalidConfigError)
    expect(() => rn.step({ msgType: MessageType.MsgHup, from: 1 })).toThrow(api.ErrStepLocalMsg)
  })
})
