// Every failure a dashboard call can end in, with a literal code the UI switches on.
// The control API's codes come through unchanged; two more belong to the transport.
import type { ControlErrorCode } from '../../main/control/types'

export type ApiErrorCode = ControlErrorCode | 'DISCONNECTED' | 'PROTOCOL'

// The Record makes the compiler name a code added to ControlErrorCode and missing here.
const CODE_RECORD: Record<ControlErrorCode, true> = {
  BAD_ARGUMENT: true, UNKNOWN_NODE: true, NO_CLUSTER: true, CLUSTER_RUNNING: true, NODE_NOT_RUNNING: true,
  PORT_IN_USE: true, NOT_SUPPORTED: true, TIMEOUT: true, KV_ERROR: true, UNAUTHORIZED: true, CANCELLED: true, INTERNAL: true,
}
const CONTROL_CODES: ReadonlySet<string> = new Set(Object.keys(CODE_RECORD))

export class ApiError extends Error {
  readonly code: ApiErrorCode
  /** With KV_ERROR: the store's kvpb.ErrorCode name. */
  readonly kvCode: string | undefined

  constructor(code: ApiErrorCode, message: string, kvCode?: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.kvCode = kvCode
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined
}

/** Whatever a transport rejected with, as an ApiError: a ControlErrorData-shaped value
 * (preload), a JSON-RPC error whose data carries the code (web mode), or anything else. */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason
  const message = String(field(reason, 'message') ?? reason)
  for (const holder of [reason, field(reason, 'data')]) {
    const code = field(holder, 'code')
    if (typeof code === 'string' && CONTROL_CODES.has(code)) {
      const kvCode = field(holder, 'kvCode')
      return new ApiError(code as ControlErrorCode, String(field(holder, 'message') ?? message), typeof kvCode === 'string' ? kvCode : undefined)
    }
  }
  return new ApiError('PROTOCOL', message)
}
