// The node's one WebSocket server: /raft (peers), /kv (clients), /admin, /snapshot.
// Every upgrade presents the cluster token; refusals are answered with an HTTP status
// and a log line before any WebSocket exists. Each path has its own frame limit.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { checkBearer, checkPeerCredential, parseNodeId } from './auth.js'
import { Connection, newConnectionId, type ConnectionPath, type ServicePath } from './connection.js'
import { CloseCode, FROM_HEADER, ID_HEADER, MiB, PEER_PROOF_HEADER } from './constants.js'
import { ServerStateError } from './errors.js'
import { PeerTransport, type PeerOptions } from './peer-transport.js'
import type { TransportStats } from './stats.js'
import { checkInt, checkNodeId, checkToken } from './validate.js'

export interface MaxFrameBytes {
  /** Default 16 MiB. */
  raft?: number
  /** Default 1 MiB. */
  kv?: number
  /** Default 1 MiB. */
  admin?: number
  /** Default 4 MiB (a 1 MiB chunk plus headroom). */
  snapshot?: number
}

export interface TransportServerOptions {
  nodeId: number
  /** Default 127.0.0.1. */
  listenHost?: string
  /** 0 binds an ephemeral port (start() returns it). */
  listenPort: number
  token: string
  maxFrameBytes?: MaxFrameBytes
  logger: Logger
  /** Options of the PeerTransport this server creates (server.peers). */
  peer?: PeerOptions
  /** Open connections accepted per service path; more are refused with 503 (default: /admin 128, /kv 4096). */
  maxConnections?: Partial<Record<'/kv' | '/admin', number>>
}

export type ConnectionHandler = (conn: Connection) => void

export interface ServerStats {
  /** Open connections per path. */
  connections: Record<ConnectionPath, number>
  /** Upgrades refused, by HTTP status. */
  refused: Record<string, number>
  raft: TransportStats
}

const PATHS: readonly ConnectionPath[] = ['/raft', '/kv', '/admin', '/snapshot']

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 426: 'Upgrade Required', 503: 'Service Unavailable',
}

function isPath(p: string): p is ConnectionPath {
  return (PATHS as readonly string[]).includes(p)
}

export class TransportServer {
  readonly nodeId: number
  /** Raft messaging with the peers; accepted /raft connections are handed to it. */
  readonly peers: PeerTransport
  private readonly host: string
  private readonly port: number
  private readonly token: string
  private readonly log: Logger
  private readonly wss = new Map<ConnectionPath, WebSocketServer>()
  private readonly handlers = new Map<ServicePath, ConnectionHandler>()
  private readonly conns = new Set<Connection>()
  private readonly refused: Record<string, number> = {}
  private readonly maxConns: Record<'/kv' | '/admin', number>
  private http: Server | undefined
  private boundPort: number | undefined
  private state: 'new' | 'starting' | 'serving' | 'closed' = 'new'

  constructor(opts: TransportServerOptions) {
    this.nodeId = checkNodeId('nodeId', opts.nodeId)
    this.token = checkToken(opts.token)
    this.host = opts.listenHost ?? '127.0.0.1'
    this.port = checkInt('listenPort', opts.listenPort, 0, 0, 65535)
    this.log = opts.logger.child({ component: 'transport', node: this.nodeId })
    const limits = opts.maxFrameBytes ?? {}
    const max: Record<ConnectionPath, number> = {
      '/raft': checkInt('maxFrameBytes.raft', limits.raft, 16 * MiB, 1024, 2 ** 31 - 1),
      '/kv': checkInt('maxFrameBytes.kv', limits.kv, MiB, 1024, 2 ** 31 - 1),
      '/admin': checkInt('maxFrameBytes.admin', limits.admin, MiB, 1024, 2 ** 31 - 1),
      '/snapshot': checkInt('maxFrameBytes.snapshot', limits.snapshot, 4 * MiB, 1024, 2 ** 31 - 1),
    }
    this.maxConns = {
      '/kv': checkInt('maxConnections./kv', opts.maxConnections?.['/kv'], 4096, 1),
      '/admin': checkInt('maxConnections./admin', opts.maxConnections?.['/admin'], 128, 1),
    }
    this.peers = new PeerTransport({
      ...opts.peer, nodeId: this.nodeId, token: this.token, logger: opts.logger, maxFrameBytes: max['/raft'],
    })
    for (const path of PATHS) {
      const wss = new WebSocketServer({ noServer: true, maxPayload: max[path], perMessageDeflate: false, clientTracking: false })
      // Tell the dialer who answered, so a stale address is noticed.
      wss.on('headers', (headers) => headers.push(`${ID_HEADER}: ${this.nodeId}`))
      this.wss.set(path, wss)
    }
  }

  /** Binds and serves; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.state !== 'new') throw new ServerStateError(`start() on a ${this.state} server`)
    this.state = 'starting'
    const http = createServer((req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' })
      res.end('WebSocket upgrade required\n')
    })
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head))
    http.on('clientError', (_err, socket) => socket.destroy())
    this.http = http
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(this.port, this.host, () => {
        http.off('error', reject)
        resolve()
      })
    })
    const addr = http.address()
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.port
    this.state = 'serving'
    this.log.info({ host: this.host, port: this.boundPort }, 'transport listening')
    return this.boundPort
  }

  /** The bound port (after start()). */
  get listenPort(): number | undefined {
    return this.boundPort
  }

  /** Registers the handler of a service path; replaces any earlier one. Returns an unregister function. */
  onConnection(path: ServicePath, handler: ConnectionHandler): () => void {
    this.handlers.set(path, handler)
    return () => {
      if (this.handlers.get(path) === handler) this.handlers.delete(path)
    }
  }

  stats(): ServerStats {
    const connections = Object.fromEntries(PATHS.map((p) => [p, 0])) as Record<ConnectionPath, number>
    for (const c of this.conns) connections[c.path]++
    return { connections, refused: { ...this.refused }, raft: this.peers.stats() }
  }

  /** Stops listening and closes every connection, peers' included. */
  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    await this.peers.close()
    await Promise.all([...this.conns].map((c) => closeWithGrace(c, 1000)))
    for (const wss of this.wss.values()) wss.close()
    const http = this.http
    if (http?.listening) {
      await new Promise<void>((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      })
    }
    this.log.info('transport closed')
  }

  private openOn(path: ConnectionPath): number {
    let n = 0
    for (const c of this.conns) if (c.path === path) n++
    return n
  }

  private refuse(socket: Duplex, req: IncomingMessage, path: string, status: number, reason: string): void {
    this.refused[String(status)] = (this.refused[String(status)] ?? 0) + 1
    this.log.warn({ remote: req.socket.remoteAddress, path, status, reason }, `refused upgrade: ${reason}`)
    const body = `${reason}\n`
    const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''
    socket.once('finish', () => socket.destroy())
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n${extra}` +
      `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (!isPath(path)) return this.refuse(socket, req, path, 404, `unknown path ${path}`)
    const auth = checkBearer(req.headers.authorization, this.token)
    if (auth !== 'ok') return this.refuse(socket, req, path, 401, `${auth} cluster token`)
    if (this.state !== 'serving') return this.refuse(socket, req, path, 503, 'node shutting down')
    let peerId: number | undefined
    if (path === '/raft') {
      const verdict = this.peers.checkInbound(req.headers[FROM_HEADER])
      if (!verdict.ok) return this.refuse(socket, req, path, verdict.status, verdict.reason)
      peerId = verdict.peerId
      if (!checkPeerCredential(req.headers[PEER_PROOF_HEADER], this.token, peerId)) {
        return this.refuse(socket, req, path, 403, `missing or wrong peer credential for node ${peerId}`)
      }
    } else {
      if (!this.handlers.has(path)) return this.refuse(socket, req, path, 503, `nothing serves ${path} yet`)
      if (path === '/snapshot') {
        // Snapshots come from peers only.
        peerId = parseNodeId(req.headers[FROM_HEADER])
        if (peerId === undefined || !this.peers.isKnownPeer(peerId)) {
          return this.refuse(socket, req, path, 403, 'snapshot streams are accepted from known peers only')
        }
        if (!checkPeerCredential(req.headers[PEER_PROOF_HEADER], this.token, peerId)) {
          return this.refuse(socket, req, path, 403, `missing or wrong peer credential for node ${peerId}`)
        }
      } else if (this.openOn(path) >= this.maxConns[path]) {
        return this.refuse(socket, req, path, 503, `${this.maxConns[path]} connections on ${path} already`)
      }
    }
    const remoteAddress = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`
    this.wss.get(path)!.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, { id: newConnectionId(), path, direction: 'in', remoteAddress, peerId }, this.log)
      if (this.state !== 'serving') {
        conn.close(CloseCode.GoingAway, 'node shutting down')
        return
      }
      this.conns.add(conn)
      conn.onClose(() => this.conns.delete(conn))
      if (path === '/raft') {
        this.peers.attachInbound(conn)
        return
      }
      const handler = this.handlers.get(path)
      if (!handler) {
        conn.close(CloseCode.GoingAway, `nothing serves ${path}`)
        return
      }
      try {
        handler(conn)
      } catch (err) {
        this.log.error({ err, path }, 'connection handler threw: closing the connection')
        conn.close(CloseCode.InternalError, 'internal error')
      }
    })
  }
}

/** Closes with a handshake, or drops the socket when the other side does not answer in time. */
function closeWithGrace(conn: Connection, graceMs: number): Promise<void> {
  if (!conn.isOpen) {
    conn.terminate()
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      conn.terminate()
      resolve()
    }, graceMs)
    conn.onClose(() => {
      clearTimeout(timer)
      resolve()
    })
    conn.close(CloseCode.GoingAway, 'node shutting down')
  })
}
