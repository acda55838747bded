// Test utilities of raftkv/transport: a logger that keeps its lines, bounded waits,
// a deterministic random source, raw WebSocket clients, and a registry of everything
// opened so that afterEach closes it all.
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { pino, type Logger } from 'pino'
import WebSocket from 'ws'
import { eraftpb } from '../../../proto/generated/protos.js'
import { bearer, peerCredential } from '../auth.js'
import { FROM_HEADER, PEER_PROOF_HEADER } from '../constants.js'
import { TransportServer, type TransportServerOptions } from '../server.js'

export const TOKEN = 'test-token'

export interface LogLine {
  level: number
  msg: string
  [k: string]: unknown
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const logger = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as LogLine) } })
  return { logger, lines }
}

/** Polls `cond` every 5 ms until it holds; fails after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 1500): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A random source that returns the given values in a cycle. */
export function cycleRng(values: number[]): () => number {
  let i = 0
  return () => values[i++ % values.length]!
}

export function msg(from: number, to: number, index: number, entryBytes = 0): eraftpb.Message.$Properties {
  return {
    msgType: eraftpb.MessageType.MsgAppend, from, to, term: 1, index,
    entries: entryBytes > 0 ? [{ term: 1, index: index + 1, data: new Uint8Array(entryBytes).fill(7) }] : [],
  }
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as AddressInfo
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** Tracks servers and raw sockets so that one call closes them all. */
export class Harness {
  readonly servers: TransportServer[] = []
  readonly sockets: WebSocket[] = []
  /** Other things to close (raw servers a test made). */
  readonly closers: (() => Promise<void>)[] = []

  async node(
    nodeId: number,
    opts: Partial<TransportServerOptions> = {},
  ): Promise<{ server: TransportServer; port: number; lines: LogLine[] }> {
    const { logger, lines } = captureLogger()
    const server = new TransportServer({
      nodeId, listenPort: 0, token: TOKEN, logger, ...opts,
      peer: { backoffBaseMs: 10, backoffMaxMs: 100, keepAliveMs: 0, closeGraceMs: 200, ...opts.peer },
    })
    this.servers.push(server)
    const port = await server.start()
    return { server, port, lines }
  }

  /** A raw client; `headers` replace the default token header when given. */
  client(port: number, path: string, headers?: Record<string, string>, from?: number): WebSocket {
    const h: Record<string, string> = headers ?? { authorization: bearer(TOKEN) }
    if (from !== undefined) {
      h[FROM_HEADER] = String(from)
      h[PEER_PROOF_HEADER] = peerCredential(TOKEN, from)
    }
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: h })
    ws.on('error', () => {}) // outcomes are read from 'open' / 'close' / 'unexpected-response'
    this.sockets.push(ws)
    return ws
  }

  async closeAll(): Promise<void> {
    for (const ws of this.sockets) ws.terminate()
    await Promise.all(this.servers.map((s) => s.close()))
    await Promise.all(this.closers.map((c) => c()))
    this.closers.length = 0
    this.sockets.length = 0
    this.servers.length = 0
  }
}

export function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('close', (code) => reject(new Error(`closed with ${code} before opening`)))
  })
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve({ code: -1, reason: 'already closed' })
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
}

/** The HTTP status of a refused upgrade. */
export function refusedStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('open', () => reject(new Error('upgrade was accepted')))
  })
}
