// The persisted raft-side states (RaftLocalState, RaftApplyState, RegionLocalState):
// plain, fully-populated TypeScript shapes and their protobuf encodings.
import { raft_serverpb } from '../../proto/generated/protos.js'
import { StorageError } from './errors.js'

export const PeerState = raft_serverpb.PeerState
export type PeerState = raft_serverpb.PeerState

export interface HardStateValue {
  readonly term: number
  readonly vote: number
  readonly commit: number
}

/** What raft persisted: hard state and the last log entry. Invariant: commit <= lastIndex. */
export interface RaftLocalState {
  readonly hardState: HardStateValue
  readonly lastIndex: number
  readonly lastTerm: number
}

/**
 * What the state machine has absorbed. Invariants: truncatedIndex <= appliedIndex;
 * the log holds (truncatedIndex, lastIndex]; truncatedTerm is the term of entry truncatedIndex.
 */
export interface RaftApplyState {
  readonly appliedIndex: number
  readonly truncatedIndex: number
  readonly truncatedTerm: number
}

export interface PeerInfo {
  readonly id: number
  /** host:port of the peer's WebSocket server. */
  readonly addr: string
}

export interface RegionInfo {
  readonly id: number
  /** Bumped by every applied conf change. */
  readonly confVer: number
  readonly version: number
  readonly peers: readonly PeerInfo[]
}

export interface RegionLocalState {
  readonly state: PeerState
  readonly region: RegionInfo
}

const num = (v: number | null | undefined): number => v ?? 0

function decodeWith<T>(what: string, decode: () => T): T {
  try {
    return decode()
  } catch (e) {
    throw new StorageError('StorageCorrupted', `cannot decode ${what}`, { cause: e })
  }
}

export function encodeRaftLocalState(s: RaftLocalState): Uint8Array {
  return raft_serverpb.RaftLocalState.encode({ hardState: s.hardState, lastIndex: s.lastIndex, lastTerm: s.lastTerm }).finish()
}

export function decodeRaftLocalState(b: Uint8Array): RaftLocalState {
  const m = decodeWith('RaftLocalState', () => raft_serverpb.RaftLocalState.decode(b))
  const hs = m.hardState
  return {
    hardState: { term: num(hs?.term), vote: num(hs?.vote), commit: num(hs?.commit) },
    lastIndex: num(m.lastIndex),
    lastTerm: num(m.lastTerm),
  }
}

export function encodeRaftApplyState(s: RaftApplyState): Uint8Array {
  return raft_serverpb.RaftApplyState.encode({
    appliedIndex: s.appliedIndex,
    truncatedState: { index: s.truncatedIndex, term: s.truncatedTerm },
  }).finish()
}

export function decodeRaftApplyState(b: Uint8Array): RaftApplyState {
  const m = decodeWith('RaftApplyState', () => raft_serverpb.RaftApplyState.decode(b))
  return { appliedIndex: num(m.appliedIndex), truncatedIndex: num(m.truncatedState?.index), truncatedTerm: num(m.truncatedState?.term) }
}

export function regionToProto(r: RegionInfo): raft_serverpb.Region.$Properties {
  return {
    id: r.id,
    regionEpoch: { confVer: r.confVer, version: r.version },
    peers: r.peers.map((p) => ({ id: p.id, addr: p.addr })),
  }
}

export function regionFromProto(r: raft_serverpb.Region.$Properties | null | undefined): RegionInfo {
  return {
    id: num(r?.id),
    confVer: num(r?.regionEpoch?.confVer),
    version: num(r?.regionEpoch?.version),
    peers: (r?.peers ?? []).map((p) => ({ id: num(p.id), addr: p.addr ?? '' })),
  }
}

export function encodeRegionLocalState(s: RegionLocalState): Uint8Array {
  return raft_serverpb.RegionLocalState.encode({ state: s.state, region: regionToProto(s.region) }).finish()
}

export function decodeRegionLocalState(b: Uint8Array): RegionLocalState {
  const m = decodeWith('RegionLocalState', () => raft_serverpb.RegionLocalState.decode(b))
  return { state: m.state ?? PeerState.Normal, region: regionFromProto(m.region) }
}

/** The raft membership a region describes. */
export const regionNodeIds = (r: RegionInfo): number[] => r.peers.map((p) => p.id)
