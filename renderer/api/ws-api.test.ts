import { describe, expect, it } from 'vitest'
import type { ClusterEvent } from '../../main/control/types'
import { ApiError } from './errors'
import { createWebSocketApi } from './ws-api'

/** A WebSocket stand-in: records what is sent, lets the test open, answer and close it. */
class FakeSocket {
  static all: FakeSocket[] = []
  sent: { id?: number; method: string; params: unknown }[] = []
  onopen: (() => void) | null = null
  onclose: (() => void) | null = null
  onmessage: ((ev: { data: string }) => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  close(): void {
    this.onclose?.()
  }
  open(): void {
    this.onopen?.()
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) })
  }
  lastRequest(method: string) {
    return [...this.sent].reverse().find((m) => m.method === method)!
  }
}

function setup() {
  FakeSocket.all = []
  const api = createWebSocketApi('ws://127.0.0.1:1/control?token=t', {
    createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
    retryDelaysMs: [0],
  })
  return { api, socket: () => FakeSocket.all[FakeSocket.all.length - 1]! }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('web-mode API (JSON-RPC over WebSocket)', () => {
  it('sends a request once the socket opens and resolves with the result', async () => {
    const { api, socket } = setup()
    const pending = api.get({ key: 'a' })
    await tick()
    expect(socket().sent).toEqual([])
    socket().open()
    await tick()
    const req = socket().lastRequest('get')
    expect(req).toMatchObject({ jsonrpc: '2.0', method: 'get', params: { key: 'a' } })
    socket().receive({ jsonrpc: '2.0', id: req.id, result: 'v' })
    await expect(pending).resolves.toBe('v')
    api.close()
  })

  it('turns a -32000 error into an ApiError with the ControlError code from data', async () => {
    const { api, socket } = setup()
    socket().open()
    const pending = api.put({ key: 'a', value: 'b' })
    await tick()
    const req = socket().lastRequest('put')
    socket().receive({ jsonrpc: '2.0', id: req.id, error: { code: -32000, message: 'no leader', data: { code: 'KV_ERROR', message: 'no leader', kvCode: 'NOT_LEADER' } } })
    const e = await pending.catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ code: 'KV_ERROR', kvCode: 'NOT_LEADER' })
    api.close()
  })

  it('maps JSON-RPC invalid params to BAD_ARGUMENT', async () => {
    const { api, socket } = setup()
    socket().open()
    const pending = api.kill({ id: -1 })
    await tick()
    socket().receive({ jsonrpc: '2.0', id: socket().lastRequest('kill').id, error: { code: -32602, message: 'id must be a node id' } })
    await expect(pending).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    api.close()
  })

  it('subscribes to a topic, dispatches its notifications, and subscribes again after a reconnect', async () => {
    const { api, socket } = setup()
    socket().open()
    const got: ClusterEvent[] = []
    const off = api.subscribe('event', (e) => got.push(e))
    await tick()
    expect(socket().lastRequest('subscribe').params).toEqual({ topics: ['event'] })
    const event: ClusterEvent = { seq: 1, timeMs: 1, kind: 'healed', detail: {} }
    socket().receive({ jsonrpc: '2.0', method: 'event', params: event })
    expect(got).toEqual([event])

    const states: string[] = []
    api.onConnection((s) => states.push(s))
    const first = socket()
    first.close()
    await tick()
    expect(socket()).not.toBe(first)
    socket().open()
    await tick()
    expect(states).toEqual(['open', 'closed', 'connecting', 'open'])
    expect(socket().lastRequest('subscribe').params).toEqual({ topics: ['event'] })

    off()
    await tick()
    expect(socket().lastRequest('unsubscribe').params).toEqual({ topics: ['event'] })
    api.close()
  })

  it('rejects calls in flight with DISCONNECTED when the socket closes', async () => {
    const { api, socket } = setup()
    socket().open()
    const pending = api.status()
    await tick()
    api.close()
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' })
  })
})
