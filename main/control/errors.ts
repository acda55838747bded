// ControlError: every failure of a control-API call, with a literal code the
// caller can switch on (never a message to parse). A rejected call changes nothing.
import type { ControlErrorCode, ControlErrorData } from './types.js'

export class ControlError extends Error {
  readonly code: ControlErrorCode
  /** With KV_ERROR: the store's kvpb.ErrorCode name. */
  readonly kvCode: string | undefined

  constructor(code: ControlErrorCode, message: string, kvCode?: string) {
    super(message)
    this.name = 'ControlError'
    this.code = code
    this.kvCode = kvCode
  }

  toData(): ControlErrorData {
    return this.kvCode === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, kvCode: this.kvCode }
  }

  static fromData(data: ControlErrorData): ControlError {
    return new ControlError(data.code, data.message, data.kvCode)
  }
}

const CODES: ReadonlySet<string> = new Set<ControlErrorCode>([
  'BAD_ARGUMENT', 'UNKNOWN_NODE', 'NO_CLUSTER', 'CLUSTER_RUNNING', 'NODE_NOT_RUNNING',
  'PORT_IN_USE', 'NOT_SUPPORTED', 'TIMEOUT', 'KV_ERROR', 'UNAUTHORIZED', 'CANCELLED', 'INTERNAL',
])

export function isControlErrorCode(value: unknown): value is ControlErrorCode {
  return typeof value === 'string' && CODES.has(value)
}
