// raftkv/raft: consensus only — no I/O, no timers, no clock. The public surface is
// fixed by raft-api.md (TinyKV / etcd-raft names, camelCase).
export { None, MessageType, EntryType, ConfChangeType, encodeConfChange, decodeConfChange, isEmptySnap, isEmptyHardState } from './types.js'
export type { Message, Entry, HardState, ConfState, Snapshot, SnapshotMetadata, ConfChange } from './types.js'
export {
  RaftError, InvalidConfigError, OutOfBoundError,
  ErrCompacted, ErrUnavailable, ErrSnapOutOfDate, ErrSnapshotTemporarilyUnavailable,
  ErrProposalDropped, ErrStepLocalMsg, ErrStepPeerNotFound,
} from './errors.js'
export type { RaftErrorCode } from './errors.js'
export type { Storage } from './storage.js'
export { MemoryStorage, newMemoryStorageWithEnts } from './storage.js'
export type { Config, RaftLogger } from './config.js'
export { seededRand } from './config.js'
export { mulberry32 } from './prng.js'
export { Raft, newRaft, StateType } from './raft.js'
export { stateName } from './state-type.js'
export type { SoftState } from './raft.js'
export { RaftLog } from './raft-log.js'
export { RawNode } from './raw-node.js'
export type { BasicStatus, ProposalPosition, Ready, RaftStatus } from './raw-node.js'
export type { ReadState } from './read-only.js'
export { Progress } from './tracker/progress.js'
export type { ProgressState } from './tracker/progress.js'
export { Inflights } from './tracker/inflights.js'
