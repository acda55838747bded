// The client's errors: one base class, a literal `code` to branch on, and
// whether the request may have taken effect (`unknownOutcome`).
//
// Codes mirror kvpb.ErrorCode (less OK), plus what only a client can see:
//   CONNECTION         the socket could not be opened or was lost
//   DEADLINE_EXCEEDED  the call's overall deadline (timeoutMs) passed
//   CLOSED             the client was closed while the call was running
//   PROTOCOL           the server sent a frame that does not decode or does not fit
//   ADMIN              an /admin command was refused (serverCode says why)
//   BAD_ENDPOINT       an endpoint is not host:port
import { adminpb, kvpb } from '../../proto/generated/protos.js'

export type KvErrorCode =
  | 'NOT_LEADER'
  | 'STALE_COMMAND'
  | 'TIMEOUT'
  | 'KEY_TOO_LARGE'
  | 'VALUE_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'INTERNAL'
  | 'SERVER_BUSY'

export type ClientErrorCode = KvErrorCode | 'CONNECTION' | 'DEADLINE_EXCEEDED' | 'CLOSED' | 'PROTOCOL' | 'ADMIN' | 'BAD_ENDPOINT'

export interface ClientErrorOptions {
  /** True when the request may have applied (sent, and no definite answer came back). */
  unknownOutcome: boolean
  cause?: unknown
}

export class ClientError extends Error {
  readonly code: ClientErrorCode
  /**
   * True when the request may have taken effect: a write that was sent and then
   * timed out, or whose connection was lost before the answer. False when the
   * server definitely did not apply it (e.g. NOT_LEADER before proposing) or
   * when it was never sent.
   */
  readonly unknownOutcome: boolean
  constructor(code: ClientErrorCode, message: string, options: ClientErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ClientError'
    this.code = code
    this.unknownOutcome = options.unknownOutcome
  }
}

/** An error answered by a node on /kv (kvpb.KvError). */
export class KvServerError extends ClientError {
  declare readonly code: KvErrorCode
  /** The leader hint of a NOT_LEADER answer: 0 / '' when the node does not know. */
  readonly leaderId: number
  readonly leaderAddr: string
  /** The endpoint (host:port) that answered. */
  readonly endpoint: string
  constructor(code: KvErrorCode, message: string, endpoint: string, unknownOutcome: boolean, leaderId = 0, leaderAddr = '') {
    super(code, message, { unknownOutcome })
    this.name = 'KvServerError'
    this.endpoint = endpoint
    this.leaderId = leaderId
    this.leaderAddr = leaderAddr
  }
}

/** The socket to an endpoint could not be opened, or closed with requests in flight. */
export class ConnectionError extends ClientError {
  declare readonly code: 'CONNECTION'
  readonly endpoint: string
  /** Whether the request had been written to the socket before it failed. */
  readonly sent: boolean
  /** HTTP status of a refused upgrade (401 for a wrong token), or 0. */
  readonly httpStatus: number
  constructor(endpoint: string, message: string, sent: boolean, unknownOutcome: boolean, httpStatus = 0, cause?: unknown) {
    super('CONNECTION', message, { unknownOutcome, cause })
    this.name = 'ConnectionError'
    this.endpoint = endpoint
    this.sent = sent
    this.httpStatus = httpStatus
  }
}

/** The call's deadline passed; `cause` holds the last attempt's error, if any. */
export class DeadlineExceededError extends ClientError {
  declare readonly code: 'DEADLINE_EXCEEDED'
  readonly timeoutMs: number
  readonly attempts: number
  constructor(timeoutMs: number, attempts: number, unknownOutcome: boolean, lastError: ClientError | undefined) {
    const last = lastError === undefined ? '' : ` (last error: ${lastError.code}: ${lastError.message})`
    super('DEADLINE_EXCEEDED', `no answer within ${timeoutMs} ms after ${attempts} attempt(s)${last}`, { unknownOutcome, cause: lastError })
    this.name = 'DeadlineExceededError'
    this.timeoutMs = timeoutMs
    this.attempts = attempts
  }
}

export class ClientClosedError extends ClientError {
  declare readonly code: 'CLOSED'
  constructor(unknownOutcome: boolean) {
    super('CLOSED', 'the client was closed', { unknownOutcome })
    this.name = 'ClientClosedError'
  }
}

/** A frame from the server that does not decode, or an answer of the wrong kind. */
export class ProtocolError extends ClientError {
  declare readonly code: 'PROTOCOL'
  readonly endpoint: string
  constructor(endpoint: string, message: string, unknownOutcome: boolean, cause?: unknown) {
    super('PROTOCOL', message, { unknownOutcome, cause })
    this.name = 'ProtocolError'
    this.endpoint = endpoint
  }
}

/** The name of an adminpb.AdminErrorCode other than OK (e.g. "NOT_LEADER", "NOT_MEMBER"). */
export type AdminErrorName = Exclude<keyof typeof adminpb.AdminErrorCode, 'OK'>

/** The name of a wire admin error code; a code this client does not know is INTERNAL. */
export function adminErrorName(code: number): AdminErrorName {
  const name = adminpb.AdminErrorCode[code] as keyof typeof adminpb.AdminErrorCode | undefined
  return name === undefined || name === 'OK' ? 'INTERNAL' : name
}

/** An /admin command refused by the node: `serverCode` is its AdminResponse.error_code. */
export class AdminCommandError extends ClientError {
  declare readonly code: 'ADMIN'
  readonly serverCode: AdminErrorName
  readonly endpoint: string
  constructor(endpoint: string, serverCode: AdminErrorName, message: string) {
    super('ADMIN', `${serverCode}: ${message}`, { unknownOutcome: false })
    this.name = 'AdminCommandError'
    this.endpoint = endpoint
    this.serverCode = serverCode
  }
}

/** An endpoint that is not host:port. */
export class EndpointFormatError extends ClientError {
  declare readonly code: 'BAD_ENDPOINT'
  readonly endpoint: string
  constructor(endpoint: string) {
    super('BAD_ENDPOINT', `bad endpoint "${endpoint}": expected host:port with a port in 1..65535`, { unknownOutcome: false })
    this.name = 'EndpointFormatError'
    this.endpoint = endpoint
  }
}

const KV_CODES: Readonly<Record<number, KvErrorCode>> = {
  [kvpb.ErrorCode.NOT_LEADER]: 'NOT_LEADER',
  [kvpb.ErrorCode.STALE_COMMAND]: 'STALE_COMMAND',
  [kvpb.ErrorCode.TIMEOUT]: 'TIMEOUT',
  [kvpb.ErrorCode.KEY_TOO_LARGE]: 'KEY_TOO_LARGE',
  [kvpb.ErrorCode.VALUE_TOO_LARGE]: 'VALUE_TOO_LARGE',
  [kvpb.ErrorCode.BAD_REQUEST]: 'BAD_REQUEST',
  [kvpb.ErrorCode.UNAUTHORIZED]: 'UNAUTHORIZED',
  [kvpb.ErrorCode.INTERNAL]: 'INTERNAL',
  [kvpb.ErrorCode.SERVER_BUSY]: 'SERVER_BUSY',
}

/** The client code of a wire error code; a code this client does not know is INTERNAL. */
export function kvErrorCode(code: number): KvErrorCode {
  return KV_CODES[code] ?? 'INTERNAL'
}
