// Errors of the node. Codes are stable; callers branch on `code`.
export type ServerErrorCode =
  | 'InvalidNodeConfig'
  | 'NodeNotStarted'
  | 'NodeStopped'
  | 'BadCommand'

export class ServerError extends Error {
  readonly code: ServerErrorCode
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ServerError'
    this.code = code
  }
}
