// Errors of the node. Codes are stable; callers branch on `code`.

/** A node option that is missing, malformed or out of range (the node refuses to start). */
export class NodeConfigError extends Error {
  readonly code = 'InvalidNodeConfig' as const
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NodeConfigError'
  }
}

export type NodeErrorCode =
  | 'NodeNotStarted'
  | 'BadCommand'

/** A running node used wrongly (status before start) or a raft log it cannot read. */
export class NodeError extends Error {
  readonly code: NodeErrorCode
  constructor(code: NodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NodeError'
    this.code = code
  }
}
