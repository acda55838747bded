// Web mode: the control API as JSON-RPC 2.0 over a WebSocket at /control?token=T
// (control-api.md "Web mode wire"). Requests go through json-rpc-2.0's client;
// notifications are dispatched to the topic's listeners. The socket reconnects with
// backoff and subscribes again to every topic someone still listens to.
import { JSONRPCClient, JSONRPCErrorException } from 'json-rpc-2.0'
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

const DISCONNECTED = 'DISCONNECTED'
const TOPICS: readonly Topic[] = ['status', 'event', 'log', 'workload']

function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value)
}

/** A rejected request as an ApiError: the ControlError code in `data.code`, or a
 * transport failure, or one of JSON-RPC's own codes. */
function fromRpcError(reason: unknown): ApiError {
  if (reason instanceof JSONRPCErrorException) {
    if (reason.message === DISCONNECTED) return new ApiError('DISCONNECTED', 'the connection closed before the answer came')
    if (reason.code === -32602) return new ApiError('BAD_ARGUMENT', reason.message)
    if (reason.code === -32601) return new ApiError('NOT_SUPPORTED', reason.message)
    return toApiError({ message: reason.message, data: reason.data })
  }
  return toApiError(reason)
}

export function createWebSocketApi(url: string, options: WebSocketApiOptions = {}): DashboardApi {
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u))
  const delays = options.retryDelaysMs ?? [250, 500, 1000, 2000, 4000]
  const topicListeners = new Map<Topic, Set<(payload: never) => void>>()
  const connectionListeners = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let socket: WebSocket | null = null
  let attempt = 0
  let closedByUs = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = []

  const client = new JSONRPCClient((payload: unknown) => {
    if (state === 'open' && socket !== null) {
      socket.send(JSON.stringify(payload))
      return
    }
    if (state === 'closed') throw new Error(DISCONNECTED)
    return new Promise<void>((resolve, reject) => openWaiters.push({ resolve, reject })).then(() => {
      socket!.send(JSON.stringify(payload))
    })
  })

  function setState(next: ConnectionState): void {
    if (state === next) return
    state = next
    for (const listener of connectionListeners) listener(next)
  }

  function dispatch(message: unknown): void {
    if (typeof message !== 'object' || message === null) return
    const m = message as { id?: unknown; method?: unknown; params?: unknown }
    if (m.id === undefined && isTopic(m.method)) {
      for (const listener of topicListeners.get(m.method) ?? []) listener(m.params as never)
    } else if (m.id !== undefined) {
      client.receive(message as Parameters<typeof client.receive>[0])
    }
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
      const waiters = openWaiters
      openWaiters = []
      for (const w of waiters) w.resolve()
      const topics = activeTopics()
      if (topics.length > 0) void client.request('subscribe', { topics }).then(undefined, () => undefined)
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
      setState('closed')
      client.rejectAllPendingRequests(DISCONNECTED)
      const waiters = openWaiters
      openWaiters = []
      for (const w of waiters) w.reject(new Error(DISCONNECTED))
      if (closedByUs) return
      const delay = delays[Math.min(attempt, delays.length - 1)]!
      attempt += 1
      retryTimer = setTimeout(connect, delay)
    }
  }

  async function call(method: ControlMethodName, params: unknown): Promise<unknown> {
    try {
      return (await client.request(method, (params ?? {}) as object)) as unknown
    } catch (e) {
      throw fromRpcError(e)
    }
  }

  function subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void): Unsubscribe {
    let set = topicListeners.get(topic)
    if (set === undefined) {
      set = new Set()
      topicListeners.set(topic, set)
    }
    const first = set.size === 0
    set.add(listener as (payload: never) => void)
    if (first && state === 'open') void client.request('subscribe', { topics: [topic] }).then(undefined, () => undefined)
    return () => {
      const s = topicListeners.get(topic)
      if (s === undefined || !s.delete(listener as (payload: never) => void)) return
      if (s.size === 0 && state === 'open') void client.request('unsubscribe', { topics: [topic] }).then(undefined, () => undefined)
    }
  }

  connect()

  return Object.assign(methodsCalling(call), {
    subscribe,
    onConnection(listener: (s: ConnectionState) => void): Unsubscribe {
      connectionListeners.add(listener)
      listener(state)
      return () => connectionListeners.delete(listener)
    },
    close(): void {
      closedByUs = true
      clearTimeout(retryTimer)
      socket?.close()
    },
  })
}
