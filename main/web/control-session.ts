// One web-mode connection's JSON-RPC 2.0 side of the control API (control-api.md, "Web
// mode wire"): requests call the ControlApi, `subscribe` / `unsubscribe` choose the
// topics whose notifications the connection receives. A ControlError answers with code
// -32000 and its code in data.code; parse errors, unknown methods and bad params get
// JSON-RPC's own codes. Transport-free: the caller feeds frames in and sends what comes out.
import { JSONRPCErrorCode, JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse } from 'json-rpc-2.0'
import { ControlError } from '../control/errors.js'
import { CONTROL_METHODS } from '../control/methods.js'
import type { ControlApi, ControlErrorData, ControlMethodName, NotificationMap, Topic, Unsubscribe } from '../control/types.js'

export const CONTROL_ERROR_CODE = -32000

const TOPICS: readonly Topic[] = ['status', 'event', 'log', 'workload']

/** Methods that take no params: whatever params come are ignored. */
const NO_PARAMS: ReadonlySet<ControlMethodName> = new Set<ControlMethodName>(['shutdown', 'detach', 'heal', 'addNode', 'stopWorkload', 'status'])

export interface ControlSessionOptions {
  api: ControlApi
  /** Sends one text frame to the peer. */
  send: (text: string) => void
  /** Unexpected (non-ControlError) failures, for the server's log. */
  onInternalError?: (method: string, error: unknown) => void
}

export class ControlSession {
  private readonly rpc = new JSONRPCServer({ errorListener: () => {} })
  private readonly subscriptions = new Map<Topic, Unsubscribe>()
  private closed = false

  constructor(private readonly options: ControlSessionOptions) {
    this.rpc.mapErrorToJSONRPCErrorResponse = (id, error: unknown) => this.errorResponse(id, error)
    for (const name of CONTROL_METHODS) {
      this.rpc.addMethod(name, async (params: unknown) => {
        const api = options.api as unknown as Record<ControlMethodName, (p?: unknown) => Promise<unknown>>
        const result = await (NO_PARAMS.has(name) ? api[name]() : api[name](objectParams(params)))
        // JSON has no undefined: a method that returns nothing answers null.
        return result === undefined ? null : result
      })
    }
    this.rpc.addMethod('subscribe', (params: unknown) => {
      for (const topic of topicsOf(params)) this.subscribe(topic)
      return null
    })
    this.rpc.addMethod('unsubscribe', (params: unknown) => {
      for (const topic of topicsOf(params)) {
        this.subscriptions.get(topic)?.()
        this.subscriptions.delete(topic)
      }
      return null
    })
  }

  get topics(): Topic[] {
    return [...this.subscriptions.keys()]
  }

  /** One incoming text frame (a request, a notification or a batch). */
  async receive(text: string): Promise<void> {
    const response = await this.rpc.receiveJSON(text)
    if (response !== null && !this.closed) this.options.send(JSON.stringify(response))
  }

  /** The connection is gone: drop every subscription. */
  close(): void {
    this.closed = true
    for (const unsubscribe of this.subscriptions.values()) unsubscribe()
    this.subscriptions.clear()
  }

  private subscribe<T extends Topic>(topic: T): void {
    if (this.subscriptions.has(topic) || this.closed) return
    const unsubscribe = this.options.api.subscribe(topic, (payload: NotificationMap[T]) => {
      if (!this.closed) this.options.send(JSON.stringify({ jsonrpc: '2.0', method: topic, params: payload }))
    })
    this.subscriptions.set(topic, unsubscribe)
  }

  private errorResponse(id: string | number | null, error: unknown): ReturnType<typeof createJSONRPCErrorResponse> {
    if (error instanceof ControlError) {
      const data: ControlErrorData = error.toData()
      return createJSONRPCErrorResponse(id, CONTROL_ERROR_CODE, error.message, data)
    }
    if (error instanceof JSONRPCErrorException) return createJSONRPCErrorResponse(id, error.code, error.message, error.data)
    this.options.onInternalError?.(String(id), error)
    return createJSONRPCErrorResponse(id, JSONRPCErrorCode.InternalError, 'Internal error')
  }
}

function invalidParams(message: string): never {
  throw new JSONRPCErrorException(message, JSONRPCErrorCode.InvalidParams)
}

/** params must be an object (by name, as in the contract's table) or absent. */
function objectParams(params: unknown): Record<string, unknown> | undefined {
  if (params === undefined || params === null) return undefined
  if (typeof params !== 'object' || Array.isArray(params)) invalidParams('params must be an object')
  return params as Record<string, unknown>
}

function topicsOf(params: unknown): Topic[] {
  const topics = objectParams(params)?.topics
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && (TOPICS as readonly string[]).includes(t))) {
    invalidParams(`topics must be a non-empty array of ${TOPICS.join(', ')}`)
  }
  return topics as Topic[]
}
