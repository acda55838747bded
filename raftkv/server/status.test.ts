// The status builder over fakes: raft's view, storage's indexes, every counter family, faults.
import { describe, expect, it } from 'vitest'
import { DROP_REASONS, noFaults } from '../transport/index.js'
import { ProposalTracker } from './proposals.js'
import { ReadQueue } from './reads.js'
import { buildStatus, type StatusSources } from './status.js'
import { FakeStorage, rawNodeOver } from './testing/fakes.js'

type Peers = StatusSources['peers']

const transportStats: ReturnType<Peers['stats']> = {
  framesSent: 5, framesReceived: 6, messagesSent: 7, messagesReceived: 8, bytesSent: 9, bytesReceived: 10,
  dropped: Object.fromEntries(DROP_REASONS.map((r, i) => [r, i + 1])) as ReturnType<Peers['stats']>['dropped'], reconnects: 3, badFrames: 0, sentByPeer: {}, peers: [],
}

describe('buildStatus', () => {
  it('reports the leader role, indexes, members, per-peer progress and prefixed counters', () => {
    const storage = new FakeStorage([1])
    const rawNode = rawNodeOver(storage, 1)
    rawNode.campaign()
    storage.appliedIndex = 1
    storage.truncatedIndex = 0
    storage.logByteSize = 123
    const status = buildStatus({
      nodeId: 1, addr: '127.0.0.1:7001', startedAt: Date.now() - 1000,
      driver: { rawNode, storage, counters: { readyHandled: 4 } as never, proposals: new ProposalTracker(), reads: new ReadQueue(), leaderGapMaxMs: 12.4 },
      peers: { stats: () => transportStats, getFaults: () => ({ ...noFaults(), dropRate: 0.5 }) },
      kv: { counters: { requests: 2 } as never },
      entryCache: () => ({ heldBytes: 456, heldEntries: 7 }),
      budget: { blockCacheBytes: 1, memtableBytes: 2, entryCacheBytes: 3, raftLogGcSizeLimit: 4 },
    })
    expect(status.role).toBe('leader')
    expect(status.leader).toBe(1)
    expect(status.term).toBe(1)
    expect(status.lastIndex).toBe(1)
    expect(status.appliedIndex).toBe(1)
    expect(status.members).toEqual([{ id: 1, addr: '127.0.0.1:7001' }])
    expect(status.progress?.map((p) => p.id)).toEqual([1])
    expect(status.counters).toMatchObject({
      'raft.readyHandled': 4, 'kv.requests': 2, 'transport.framesSent': 5, [`transport.dropped.${DROP_REASONS[0]}`]: 1,
      'raft.pendingProposals': 0, 'raft.pendingReads': 0, 'raft.leaderGapMaxMs': 12, 'storage.logBytes': 123,
      'memory.entryCacheBytes': 456, 'memory.entryCacheEntries': 7,
      'budget.blockCacheBytes': 1, 'budget.memtableBytes': 2, 'budget.entryCacheBytes': 3, 'budget.raftLogGcSizeLimit': 4,
    })
    expect(status.faults?.dropRate).toBe(0.5)
    expect(status.snapshots).toEqual({ sent: 0, received: 0, applied: 0, failed: 0, transfers: [] })
    expect(status.uptimeMs).toBeGreaterThanOrEqual(1000)
    expect(status.removed).toBe(false)
  })

  it('reports a follower with no progress (only a leader tracks it)', () => {
    const storage = new FakeStorage([1, 2, 3])
    const status = buildStatus({
      nodeId: 1, addr: 'a', startedAt: Date.now(),
      driver: { rawNode: rawNodeOver(storage, 1), storage, counters: {} as never, proposals: new ProposalTracker(), reads: new ReadQueue(), leaderGapMaxMs: 0 },
      peers: { stats: () => transportStats, getFaults: noFaults },
      kv: { counters: {} as never }, removed: true,
    })
    expect(status.role).toBe('follower')
    expect(status.progress).toEqual([])
    expect(status.removed).toBe(true)
  })
})
