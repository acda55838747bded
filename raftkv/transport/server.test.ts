import { afterEach, describe, expect, it } from 'vitest'
import { bearer, peerCredential } from './auth.js'
import type { Connection } from './connection.js'
import { CloseCode, FROM_HEADER, PEER_PROOF_HEADER } from './constants.js'
import { InvalidArgumentError, ServerStateError } from './errors.js'
import { TransportServer } from './server.js'
import { Harness, TOKEN, captureLogger, closed, opened, refusedStatus, waitFor } from './testing/helpers.js'

const h = new Harness()
afterEach(() => h.closeAll())

/** Serves /kv with an echo of every frame. */
function echo(conn: Connection): void {
  conn.onMessage((bytes) => conn.send(bytes))
}

function nextMessage(ws: import('ws').WebSocket): Promise<Buffer> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(data)))
}

describe('TransportServer', () => {
  it('binds an ephemeral port on 127.0.0.1 and hands /kv connections to their handler', async () => {
    const { server, port } = await h.node(1)
    expect(port).toBeGreaterThan(0)
    expect(server.listenPort).toBe(port)
    const seen: Connection[] = []
    server.onConnection('/kv', (conn) => {
      seen.push(conn)
      echo(conn)
    })
    const ws = h.client(port, '/kv')
    await opened(ws)
    const reply = nextMessage(ws)
    ws.send(Buffer.from([1, 2, 3]))
    expect([...(await reply)]).toEqual([1, 2, 3])
    expect(seen).toHaveLength(1)
    expect(seen[0]!.path).toBe('/kv')
    expect(seen[0]!.direction).toBe('in')
    expect(seen[0]!.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(server.stats().connections['/kv']).toBe(1)
  })

  it('refuses a missing or wrong token with 401 and a log line, and keeps serving', async () => {
    const { server, port, lines } = await h.node(1)
    server.onConnection('/kv', echo)
    expect(await refusedStatus(h.client(port, '/kv', {}))).toBe(401)
    expect(await refusedStatus(h.client(port, '/kv', { authorization: bearer('not-the-token') }))).toBe(401)
    expect(await refusedStatus(h.client(port, '/admin', { authorization: 'Basic abc' }))).toBe(401)
    expect(await refusedStatus(h.client(port, '/raft', { authorization: bearer('x') }, 2))).toBe(401)
    const refusals = lines.filter((l) => l.msg.startsWith('refused upgrade') && l.status === 401)
    expect(refusals.map((l) => l.reason)).toEqual(['missing cluster token', 'wrong cluster token', 'wrong cluster token', 'wrong cluster token'])
    expect(server.stats().refused['401']).toBe(4)
    const ok = h.client(port, '/kv')
    await opened(ok)
    const reply = nextMessage(ok)
    ok.send(Buffer.from('still here'))
    expect((await reply).toString()).toBe('still here')
  })

  it('answers 404 to an unknown path, 503 to a path nothing serves, 426 to plain HTTP', async () => {
    const { port, lines } = await h.node(1)
    expect(await refusedStatus(h.client(port, '/nope'))).toBe(404)
    expect(await refusedStatus(h.client(port, '/admin'))).toBe(503)
    const res = await fetch(`http://127.0.0.1:${port}/kv`, { headers: { authorization: bearer(TOKEN) } })
    expect(res.status).toBe(426)
    await res.text()
    expect(lines.some((l) => l.status === 404 && l.path === '/nope')).toBe(true)
  })

  it('checks who may open /raft and /snapshot', async () => {
    const { server, port } = await h.node(2)
    server.onConnection('/snapshot', () => {})
    server.peers.setPeers(new Map([[1, '127.0.0.1:1'], [3, '127.0.0.1:1']]))
    expect(await refusedStatus(h.client(port, '/raft'))).toBe(400) // no x-raftkv-from
    expect(await refusedStatus(h.client(port, '/raft', undefined, 9))).toBe(403) // not a peer
    expect(await refusedStatus(h.client(port, '/raft', undefined, 3))).toBe(409) // 2 dials 3, not the reverse
    expect(await refusedStatus(h.client(port, '/snapshot', undefined, 9))).toBe(403)
    const snap = h.client(port, '/snapshot', undefined, 3)
    await opened(snap)
    expect(await refusedStatus(h.client(port, '/snapshot'))).toBe(403)
    // A peer proves its id: the token and a claimed id alone are not enough.
    const claim = { authorization: bearer(TOKEN), [FROM_HEADER]: '1' }
    expect(await refusedStatus(h.client(port, '/raft', claim))).toBe(403)
    expect(await refusedStatus(h.client(port, '/raft', { ...claim, [PEER_PROOF_HEADER]: peerCredential(TOKEN, 3) }))).toBe(403)
    expect(await refusedStatus(h.client(port, '/snapshot', { ...claim, [FROM_HEADER]: '3', [PEER_PROOF_HEADER]: peerCredential(TOKEN, 1) }))).toBe(403)
    const proven = h.client(port, '/raft', { ...claim, [PEER_PROOF_HEADER]: peerCredential(TOKEN, 1) })
    await opened(proven)
  })

  it('closes a connection whose frame is over the limit (1009), and only that one', async () => {
    const { server, port, lines } = await h.node(1, { maxFrameBytes: { kv: 1024 } })
    server.onConnection('/kv', echo)
    const big = h.client(port, '/kv')
    const other = h.client(port, '/kv')
    await Promise.all([opened(big), opened(other)])
    const bigClosed = closed(big)
    big.send(Buffer.alloc(1025))
    expect((await bigClosed).code).toBe(CloseCode.MessageTooBig)
    await waitFor(() => lines.some((l) => String(l.msg).includes('over the size limit')), 'the log line')
    const reply = nextMessage(other)
    other.send(Buffer.alloc(1024, 1))
    expect((await reply).length).toBe(1024)
  })

  it('closes a connection that sends a text frame (1003)', async () => {
    const { server, port } = await h.node(1)
    server.onConnection('/admin', echo)
    const ws = h.client(port, '/admin')
    await opened(ws)
    const done = closed(ws)
    ws.send('hello')
    expect((await done).code).toBe(CloseCode.UnsupportedData)
  })

  it('close() closes client connections with 1001 and stops listening', async () => {
    const { server, port } = await h.node(1)
    server.onConnection('/kv', echo)
    const ws = h.client(port, '/kv')
    await opened(ws)
    const done = closed(ws)
    await server.close()
    expect((await done).code).toBe(CloseCode.GoingAway)
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow()
    await expect(server.start()).rejects.toBeInstanceOf(ServerStateError)
  })

  it('validates its options with typed errors', () => {
    const { logger } = captureLogger()
    const make = (o: object) => new TransportServer({ nodeId: 1, listenPort: 0, token: TOKEN, logger, ...o })
    expect(() => make({ nodeId: 0 })).toThrow(InvalidArgumentError)
    expect(() => make({ token: '' })).toThrow(InvalidArgumentError)
    expect(() => make({ listenPort: 70000 })).toThrow(InvalidArgumentError)
    try {
      make({ maxFrameBytes: { kv: 1.5 } })
      expect.unreachable()
    } catch (err) {
      expect((err as InvalidArgumentError).code).toBe('ErrInvalidArgument')
    }
  })
})
