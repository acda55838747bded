// The node's status as /admin reports it (adminpb.NodeStatus): what the manager draws.
import { adminpb } from '../../proto/generated/protos.js'
import { stateName } from '../raft/index.js'
import type { RaftDriver } from './raft-driver.js'
import type { PeerTransport } from '../transport/index.js'
import type { KvService } from './kv-service.js'

export interface StatusSources {
  nodeId: number
  addr: string
  startedAt: number
  driver: Pick<RaftDriver, 'rawNode' | 'storage' | 'counters' | 'proposals' | 'reads' | 'leaderGapMaxMs'>
  peers: Pick<PeerTransport, 'stats' | 'getFaults'>
  kv: Pick<KvService, 'counters'>
  snapshots?: () => adminpb.SnapshotStats.$Properties
  /** This node was removed from the cluster (a tombstone). */
  removed?: boolean
  /** The raft log entries held in memory (memory.entryCache* counters). */
  entryCache?: () => { heldBytes: number; heldEntries: number }
  /** The memory budget's settable parts (shown as budget.* counters). */
  budget?: { blockCacheBytes: number; memtableBytes: number; entryCacheBytes: number; raftLogGcSizeLimit: number }
}

/** memory.* counters: where the process's memory is (RSS, JS heap, Buffers, RocksDB's parts). */
function memoryCounters(storage: RaftDriver['storage'], counters: Record<string, number>): void {
  const m = process.memoryUsage()
  counters['memory.rssBytes'] = m.rss
  counters['memory.heapUsedBytes'] = m.heapUsed
  // What V8 has taken from the system for its heap (RSS counts this, not heapUsed).
  counters['memory.heapTotalBytes'] = m.heapTotal
  counters['memory.externalBytes'] = m.external
  counters['memory.arrayBuffersBytes'] = m.arrayBuffers
  const rocks = storage.engineMemory()
  counters['memory.rocksdb.memtablesBytes'] = rocks.memtablesBytes
  counters['memory.rocksdb.blockCacheBytes'] = rocks.blockCacheBytes
  counters['memory.rocksdb.tableReadersBytes'] = rocks.tableReadersBytes
}

export function buildStatus(src: StatusSources): adminpb.NodeStatus.$Properties {
  const st = src.driver.rawNode.status()
  const storage = src.driver.storage
  const region = storage.regionState.region
  const counters: Record<string, number> = {}
  for (const [k, v] of Object.entries(src.driver.counters)) counters[`raft.${k}`] = v
  for (const [k, v] of Object.entries(src.kv.counters)) counters[`kv.${k}`] = v
  const t = src.peers.stats()
  for (const [k, v] of Object.entries(t)) if (typeof v === 'number') counters[`transport.${k}`] = v
  for (const [k, v] of Object.entries(t.dropped)) counters[`transport.dropped.${k}`] = v
  for (const [peer, byType] of Object.entries(t.sentByPeer)) {
    for (const [type, v] of Object.entries(byType)) counters[`transport.sent.${peer}.${type}`] = v
  }
  counters['raft.pendingProposals'] = src.driver.proposals.size
  counters['raft.leaderGapMaxMs'] = Math.round(src.driver.leaderGapMaxMs)
  counters['raft.pendingReads'] = src.driver.reads.pending
  counters['storage.logBytes'] = storage.logByteSize
  memoryCounters(storage, counters)
  const cache = src.entryCache?.()
  if (cache) {
    counters['memory.entryCacheBytes'] = cache.heldBytes
    counters['memory.entryCacheEntries'] = cache.heldEntries
  }
  for (const [k, v] of Object.entries(src.budget ?? {})) counters[`budget.${k}`] = v
  return {
    id: src.nodeId,
    role: stateName(st.raftState),
    term: st.term,
    vote: st.vote,
    leader: st.lead,
    firstIndex: st.firstIndex,
    lastIndex: st.lastIndex,
    stabledIndex: st.stabledIndex,
    commitIndex: st.commitIndex,
    appliedIndex: storage.appliedIndex,
    truncatedIndex: storage.truncatedIndex,
    members: region.peers.map((p) => ({ id: p.id, addr: p.addr })),
    progress: [...st.progress].map(([id, p]) => ({ id, match: p.match, next: p.next, state: p.state, recentActive: p.recentActive, pendingSnapshot: p.pendingSnapshot })),
    counters,
    snapshots: src.snapshots?.() ?? { sent: 0, received: 0, applied: 0, failed: 0, transfers: [] },
    faults: src.peers.getFaults(),
    addr: src.addr,
    uptimeMs: Date.now() - src.startedAt,
    pid: process.pid,
    removed: src.removed ?? false,
  }
}
