// A node's /admin status as a plain, fully filled-in object (no protobuf
// classes, no nulls): what `raftkv status --json` prints and the manager shows.
import type { adminpb } from '../../proto/generated/protos.js'

export type RaftRole = 'follower' | 'candidate' | 'leader' | 'precandidate' | string

export interface MemberInfo {
  id: number
  addr: string
}

export interface PeerProgressInfo {
  id: number
  match: number
  next: number
  /** "probe" | "replicate" | "snapshot" */
  state: string
  recentActive: boolean
  pendingSnapshot: number
}

export interface SnapshotTransferInfo {
  peer: number
  /** "send" | "receive" */
  direction: string
  index: number
  term: number
  bytesDone: number
  bytesTotal: number
  chunksDone: number
  chunksTotal: number
  rateBytesPerSec: number
  /** "generating" | "sending" | "receiving" | "applying" | "done" | "failed" */
  state: string
  reason: string
  startedAtMs: number
}

export interface SnapshotStatsInfo {
  sent: number
  received: number
  applied: number
  failed: number
  transfers: SnapshotTransferInfo[]
}

export interface FaultsInfo {
  /** Peers whose messages are dropped in both directions. */
  blockedPeers: number[]
  /** Fraction [0, 1] of outgoing raft messages dropped. */
  dropRate: number
  delayMs: number
  jitterMs: number
}

export interface NodeStatusInfo {
  id: number
  role: RaftRole
  term: number
  vote: number
  leader: number
  firstIndex: number
  lastIndex: number
  stabledIndex: number
  commitIndex: number
  appliedIndex: number
  truncatedIndex: number
  members: MemberInfo[]
  progress: PeerProgressInfo[]
  counters: Record<string, number>
  snapshots: SnapshotStatsInfo
  faults: FaultsInfo
  addr: string
  uptimeMs: number
  pid: number
}

const n = (value: number | null | undefined): number => value ?? 0
const s = (value: string | null | undefined): string => value ?? ''

export function faultsInfo(faults: adminpb.Faults.$Properties | null | undefined): FaultsInfo {
  return {
    blockedPeers: [...(faults?.blockedPeers ?? [])].map(Number),
    dropRate: n(faults?.dropRate),
    delayMs: n(faults?.delayMs),
    jitterMs: n(faults?.jitterMs),
  }
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
  }
}
