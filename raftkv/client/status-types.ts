// The shapes of a node's /admin status as plain objects: what `raftkv status --json`
// prints and the manager shows. Types only and no imports, so the dashboard can use
// them through the control API's types without pulling in protobuf or Node.

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

/** Faults on the messages to one peer, in place of the node-wide dropRate / delay. */
export interface LinkFaultInfo {
  peer: number
  dropRate: number
  delayMs: number
  jitterMs: number
}

export interface FaultsInfo {
  /** Peers whose messages are dropped in both directions. */
  blockedPeers: number[]
  /** Fraction [0, 1] of outgoing raft messages dropped. */
  dropRate: number
  delayMs: number
  jitterMs: number
  /** Per-peer faults on outgoing messages (absent when there are none). */
  links?: LinkFaultInfo[]
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
  /** True once the node learned it was removed from the membership (a tombstone: no ticks, no dials). */
  removed: boolean
}
