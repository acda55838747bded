// Raft's errors. The sentinels are thrown as these very objects (compare with ===);
// each also carries a stable `code` to branch on.

export type RaftErrorCode =
  | 'ErrCompacted'
  | 'ErrUnavailable'
  | 'ErrSnapOutOfDate'
  | 'ErrSnapshotTemporarilyUnavailable'
  | 'ErrProposalDropped'
  | 'ErrStepLocalMsg'
  | 'ErrStepPeerNotFound'
  | 'ErrInvalidConfig'
  | 'ErrOutOfBound'

export class RaftError extends Error {
  readonly code: RaftErrorCode
  constructor(code: RaftErrorCode, message: string) {
    super(message)
    this.name = 'RaftError'
    this.code = code
  }
}

/** The requested index is older than the storage's first index (compacted away). */
export const ErrCompacted = new RaftError('ErrCompacted', 'requested index is unavailable due to compaction')
/** The requested index is newer than anything the storage holds. */
export const ErrUnavailable = new RaftError('ErrUnavailable', 'requested entry at index is unavailable')
/** The snapshot is older than the one the storage already has. */
export const ErrSnapOutOfDate = new RaftError('ErrSnapOutOfDate', 'requested index is older than the existing snapshot')
/** The storage is still building a snapshot: ask again later. */
export const ErrSnapshotTemporarilyUnavailable = new RaftError('ErrSnapshotTemporarilyUnavailable', 'snapshot is temporarily unavailable')
/** A proposal could not be taken (no leader, leadership transfer, pending conf change, not a member). */
export const ErrProposalDropped = new RaftError('ErrProposalDropped', 'raft proposal dropped')
/** A local message type (MsgHup, MsgBeat) was given to RawNode.step. */
export const ErrStepLocalMsg = new RaftError('ErrStepLocalMsg', 'raft: cannot step raft local message')
/** A response message came from a node that is not in the configuration. */
export const ErrStepPeerNotFound = new RaftError('ErrStepPeerNotFound', 'raft: cannot step as peer not found')

/** An invalid Config given to newRaft / RawNode. */
export class InvalidConfigError extends RaftError {
  constructor(message: string) {
    super('ErrInvalidConfig', message)
    this.name = 'InvalidConfigError'
  }
}

/** An index outside what the log or storage can hold (a caller bug, not a network condition). */
export class OutOfBoundError extends RaftError {
  constructor(message: string) {
    super('ErrOutOfBound', message)
    this.name = 'OutOfBoundError'
  }
}
