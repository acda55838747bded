// Errors of raftkv/transport. Callers branch on `code`, never on the message.
// Every error this package throws is a TransportError; each failure has its own
// subclass with a literal code.

export type TransportErrorCode =
  | 'ErrInvalidArgument'
  | 'ErrInvalidFaults'
  | 'ErrServerState'
  | 'ErrBadFrame'
  | 'ErrConnectionClosed'

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
