// Web mode: the control API as JSON-RPC 2.0 over a WebSocket at /control?token=T
// (control-api.md "Web mode wire"). Requests wait for the socket to open; answers are
// matched by id; notifications go to the topic's listeners. The socket reconnects with
// backoff and subscribes again to every topic someone still listens to. (The lint rules
// keep I/O libraries such as json-rpc-2.0 out of the renderer: the protocol is small.)
import type { ControlMethodName, NotificationMap, Topic, Unsubscribe } from '../../main/control/types'
import { ApiError, toApiError } from './errors'
import { methodsCalling } from './method-names'
import type { ConnectionState, DashboardApi } from './types'

export interface WebSocketApiOptions {
  /** How to open a socket (tests pass a fake). */
  createSocket?: (url: string) => WebSocket
  /** Delays between reconnection attempts, the last one repeating. */
  retryDelaysMs?: number[]
}

const TOPICS: readonly Topic[] = ['status', 'event', 'log', 'workload']

function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value)
}

interface RpcError {
  code: number
  message: string
  data?: unknown
}

/** A JSON-RPC error as an ApiError: the ControlError code in `data.code` (-32000), or one
 * of JSON-RPC's own codes. */
function fromRpcError(error: RpcError): ApiError {
  if (error.code === -32602) return new ApiError('BAD_ARGUMENT', error.message)
  if (error.code === -32601) return new ApiError('NOT_SUPPORTED', error.message)
  return toApiError({ message: error.message, data: error.data })
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: ApiError) => void
}

export function createWebSocketApi(url: string, options: WebSocketApiOptions = {}): DashboardApi {
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u))
  const delays = options.retryDelaysMs ?? [250, 500, 1000, 2000, 4000]
  const topicListeners = new Map<Topic, Set<(payload: never) => void>>()
  const connectionListeners = new Set<(state: ConnectionState) => void>()
  /** Requests sent and not answered, by id. */
  const inFlight = new Map<number, Pending>()
  /** Requests waiting for the socket to open. */
  let queued: string[] = []
  let state: ConnectionState = 'connecting'
  let socket: WebSocket | null = null
  let nextId = 1
  let attempt = 0
  let closedByUs = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  function setState(next: ConnectionState): void {
    if (state === next) return
    state = next
    for (const listener of connectionListeners) listener(next)
  }

  function request(method: string, params: unknown): Promise<unknown> {
    if (state === 'closed' || closedByUs) return Promise.reject(new ApiError('DISCONNECTED', 'not connected to the manager'))
    const id = nextId++
    const text = JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} })
    return new Promise((resolve, reject) => {
      inFlight.set(id, { resolve, reject })
      if (state === 'open' && socket !== null) socket.send(text)
      else queued.push(text)
    })
  }

  function quietly(method: string, topics: Topic[]): void {
    request(method, { topics }).then(undefined, () => undefined)
  }

  function dispatch(message: unknown): void {
    if (typeof message !== 'object' || message === null) return
    const m = message as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: RpcError }
    if (m.id === undefined || m.id === null) {
      if (isTopic(m.method)) for (const listener of topicListeners.get(m.method) ?? []) listener(m.params as never)
      return
    }
    const pending = inFlight.get(Number(m.id))
    if (pending === undefined) return
    inFlight.delete(Number(m.id))
    if (m.error !== undefined) pending.reject(fromRpcError(m.error))
    else pending.resolve(m.result === null ? undefined : m.result)
  }

  function activeTopics(): Topic[] {
    return [...topicListeners].filter(([, set]) => set.size > 0).map(([topic]) => topic)
  }

  function connect(): void {
    setState('connecting')
    const ws = createSocket(url)
    socket = ws
    ws.onopen = () => {
      attempt = 0
      setState('open')
      const topics = activeTopics()
      if (topics.length > 0) quietly('subscribe', topics)
      const waiting = queued
      queued = []
      for (const text of waiting) ws.send(text)
    }
    ws.onmessage = (ev: MessageEvent) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(String(ev.data))
      } catch {
        return
      }
      if (Array.isArray(parsed)) parsed.forEach(dispatch)
      else dispatch(parsed)
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      queued = []
      setState('closed')
      const lost = [...inFlight.values()]
      inFlight.clear()
      for (const p of lost) p.reject(new ApiError('DISCONNECTED', 'the connection closed before the answer came'))
      if (closedByUs) return
      const delay = delays[Math.min(attempt, delays.length - 1)]!
      attempt += 1
      retryTimer = setTimeout(connect, delay)
    }
  }

  function subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void): Unsubscribe {
    let set = topicListeners.get(topic)
    if (set === undefined) {
      set = new Set()
      topicListeners.set(topic, set)
    }
    const entry = (payload: never) => listener(payload)
    if (set.size === 0 && state === 'open') quietly('subscribe', [topic])
    set.add(entry)
    let done = false
    return () => {
      if (done) return
      done = true
      set.delete(entry)
      if (set.size === 0 && state === 'open') quietly('unsubscribe', [topic])
    }
  }

  connect()

  return Object.assign(methodsCalling((name: ControlMethodName, params: unknown) => request(name, params)), {
    subscribe,
    onConnection(listener: (s: ConnectionState) => void): Unsubscribe {
      connectionListeners.add(listener)
      listener(state)
      return () => connectionListeners.delete(listener)
    },
    onMenu: (): Unsubscribe => () => undefined,
    close(): void {
      closedByUs = true
      clearTimeout(retryTimer)
      socket?.close()
    },
  })
}
