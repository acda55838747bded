// Errors of raftkv/transport. Callers branch on `code`, never on the message.
// Every error this package throws is a TransportError; each failure has its own
// subclass with a literal code.

export type TransportErrorCode =
  | 'ErrInvalidArgument'
  | 'ErrInvalidFaults'
  | 'ErrServerState'
  | 'ErrBadFrame'
  | 'ErrConnectionClosed'
  | 'ErrSnapshotRefused'
  | 'ErrSnapshotFailed'
  | 'ErrSnapshotTimeout'
  | 'ErrSnapshotCancelled'

export class TransportError extends Error {
  readonly code: TransportErrorCode
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TransportError'
    this.code = code
  }
}

/** An option or argument is missing or out of range (constructor options, setPeers). */
export class InvalidArgumentError extends TransportError {
  override readonly code = 'ErrInvalidArgument' as const
  constructor(message: string) {
    super('ErrInvalidArgument', message)
    this.name = 'InvalidArgumentError'
  }
}

/** setFaults() got a value out of range (the previous faults stay in force). */
export class InvalidFaultsError extends TransportError {
  override readonly code = 'ErrInvalidFaults' as const
  constructor(message: string) {
    super('ErrInvalidFaults', message)
    this.name = 'InvalidFaultsError'
  }
}

/** start() on a started or closed server, or use after close(). */
export class ServerStateError extends TransportError {
  override readonly code = 'ErrServerState' as const
  constructor(message: string) {
    super('ErrServerState', message)
    this.name = 'ServerStateError'
  }
}

/** A frame that does not decode, or decodes to something this side cannot accept. */
export class BadFrameError extends TransportError {
  override readonly code = 'ErrBadFrame' as const
  constructor(message: string, options?: { cause?: unknown }) {
    super('ErrBadFrame', message, options)
    this.name = 'BadFrameError'
  }
}

/** A connection closed (or could not be opened) before the operation finished. */
export class ConnectionClosedError extends TransportError {
  override readonly code = 'ErrConnectionClosed' as const
  constructor(message: string) {
    super('ErrConnectionClosed', message)
    this.name = 'ConnectionClosedError'
  }
}

/** How a snapshot transfer failed, as the receiver reports it to the sender (snappb.Failure.code). */
export type SnapshotFailureCode = 'busy' | 'refused' | 'checksum' | 'protocol' | 'handler' | 'timeout' | 'aborted'

export const SNAPSHOT_FAILURE_CODES: readonly SnapshotFailureCode[] = [
  'busy', 'refused', 'checksum', 'protocol', 'handler', 'timeout', 'aborted',
]

/**
 * A snapshot transfer was refused before any chunk: the receiver is busy (`busy`), its
 * handler declined it (`refused`), or this sender already runs its maximum (`busy`).
 * A receiver's handler throws it to decline an offer.
 */
export class SnapshotRefusedError extends TransportError {
  override readonly code = 'ErrSnapshotRefused' as const
  readonly reason: 'busy' | 'refused'
  constructor(reason: 'busy' | 'refused', message: string) {
    super('ErrSnapshotRefused', message)
    this.name = 'SnapshotRefusedError'
    this.reason = reason
  }
}

/** A snapshot transfer failed after it started; `failure` says how (the receiver's report, or this side's finding). */
export class SnapshotFailedError extends TransportError {
  override readonly code = 'ErrSnapshotFailed' as const
  readonly failure: SnapshotFailureCode
  constructor(failure: SnapshotFailureCode, message: string, options?: { cause?: unknown }) {
    super('ErrSnapshotFailed', message, options)
    this.name = 'SnapshotFailedError'
    this.failure = failure
  }
}

/** No frame from the other side within the idle timeout, or the whole transfer took too long. */
export class SnapshotTimeoutError extends TransportError {
  override readonly code = 'ErrSnapshotTimeout' as const
  constructor(message: string) {
    super('ErrSnapshotTimeout', message)
    this.name = 'SnapshotTimeoutError'
  }
}

/** The transfer was cancelled: its AbortSignal fired, the other side aborted, or the endpoint closed. */
export class SnapshotCancelledError extends TransportError {
  override readonly code = 'ErrSnapshotCancelled' as const
  constructor(message: string) {
    super('ErrSnapshotCancelled', message)
    this.name = 'SnapshotCancelledError'
  }
}
