// A node's /admin status as a plain, fully filled-in object (no protobuf
// classes, no nulls): what `raftkv status --json` prints and the manager shows.
import type { adminpb } from '../../proto/generated/protos.js'

import type { FaultsInfo, NodeStatusInfo, SnapshotTransferInfo } from './status-types.js'

export type * from './status-types.js'

const n = (value: number | null | undefined): number => value ?? 0
const s = (value: string | null | undefined): string => value ?? ''

export function faultsInfo(faults: adminpb.Faults.$Properties | null | undefined): FaultsInfo {
  const out: FaultsInfo = {
    blockedPeers: [...(faults?.blockedPeers ?? [])].map(Number),
    dropRate: n(faults?.dropRate),
    delayMs: n(faults?.delayMs),
    jitterMs: n(faults?.jitterMs),
  }
  // Only when set, so that a node without per-link faults prints what it always printed.
  const links = (faults?.links ?? []).map((l) => ({ peer: n(l.peer), dropRate: n(l.dropRate), delayMs: n(l.delayMs), jitterMs: n(l.jitterMs) }))
  if (links.length > 0) out.links = links
  return out
}

function transferInfo(t: adminpb.SnapshotTransfer.$Properties): SnapshotTransferInfo {
  return {
    peer: n(t.peer),
    direction: s(t.direction),
    index: n(t.index),
    term: n(t.term),
    bytesDone: n(t.bytesDone),
    bytesTotal: n(t.bytesTotal),
    chunksDone: n(t.chunksDone),
    chunksTotal: n(t.chunksTotal),
    rateBytesPerSec: n(t.rateBytesPerSec),
    state: s(t.state),
    reason: s(t.reason),
    startedAtMs: n(t.startedAtMs),
  }
}

export function nodeStatusInfo(status: adminpb.NodeStatus.$Properties): NodeStatusInfo {
  const snapshots = status.snapshots
  return {
    id: n(status.id),
    role: s(status.role),
    term: n(status.term),
    vote: n(status.vote),
    leader: n(status.leader),
    firstIndex: n(status.firstIndex),
    lastIndex: n(status.lastIndex),
    stabledIndex: n(status.stabledIndex),
    commitIndex: n(status.commitIndex),
    appliedIndex: n(status.appliedIndex),
    truncatedIndex: n(status.truncatedIndex),
    members: (status.members ?? []).map((m) => ({ id: n(m.id), addr: s(m.addr) })),
    progress: (status.progress ?? []).map((p) => ({
      id: n(p.id),
      match: n(p.match),
      next: n(p.next),
      state: s(p.state),
      recentActive: p.recentActive === true,
      pendingSnapshot: n(p.pendingSnapshot),
    })),
    counters: { ...(status.counters ?? {}) },
    snapshots: {
      sent: n(snapshots?.sent),
      received: n(snapshots?.received),
      applied: n(snapshots?.applied),
      failed: n(snapshots?.failed),
      transfers: (snapshots?.transfers ?? []).map(transferInfo),
    },
    faults: faultsInfo(status.faults),
    addr: s(status.addr),
    uptimeMs: n(status.uptimeMs),
    pid: n(status.pid),
    removed: status.removed === true,
  }
}
