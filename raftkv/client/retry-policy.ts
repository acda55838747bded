// What the client does with each failure: retry or give up, and whether a
// failed write may still have applied. NOT_LEADER, STALE_COMMAND and
// SERVER_BUSY are definite refusals (nothing was or will be applied), so a
// write is retried. A write whose outcome is unknown (server TIMEOUT, socket
// lost after sending, INTERNAL) is never retried: a second copy could apply
// after a later write of another client and break linearizability.
import type { KvErrorCode } from './errors.js'

export interface FailureVerdict {
  retry: boolean
  /** The request may have applied (meaningful for writes; reads have no effect). */
  unknownOutcome: boolean
}

export function judgeKvServerError(code: KvErrorCode, isWrite: boolean): FailureVerdict {
  switch (code) {
    case 'NOT_LEADER':
    case 'STALE_COMMAND':
    case 'SERVER_BUSY':
      return { retry: true, unknownOutcome: false }
    case 'TIMEOUT':
      return isWrite ? { retry: false, unknownOutcome: true } : { retry: true, unknownOutcome: false }
    case 'INTERNAL':
      return { retry: false, unknownOutcome: isWrite }
    case 'KEY_TOO_LARGE':
    case 'VALUE_TOO_LARGE':
    case 'BAD_REQUEST':
    case 'UNAUTHORIZED':
      return { retry: false, unknownOutcome: false }
  }
}

/** A socket failure: before the request was written it is a plain retry. */
export function judgeConnectionError(sent: boolean, isWrite: boolean): FailureVerdict {
  if (!sent) return { retry: true, unknownOutcome: false }
  return isWrite ? { retry: false, unknownOutcome: true } : { retry: true, unknownOutcome: false }
}
