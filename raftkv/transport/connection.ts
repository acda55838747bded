// One WebSocket connection, as the node's services see it: binary frames in and out,
// close with a code and a reason, backpressure through bufferedAmount and pause/resume.
// Frames the socket could not take (too big, not binary) close it with a log line here,
// so every path gets the same treatment.
import type { Logger } from 'pino'
import WebSocket from 'ws'
import { CloseCode } from './constants.js'
import { ConnectionClosedError } from './errors.js'

export type ServicePath = '/kv' | '/admin' | '/snapshot'
export type ConnectionPath = ServicePath | '/raft'

export interface ConnectionInfo {
  /** Unique per process; appears in the log lines about this connection. */
  id: number
  path: ConnectionPath
  /** 'in' when our server accepted it, 'out' when we dialed it. */
  direction: 'in' | 'out'
  /** Remote IP for accepted connections, host:port for dialed ones. */
  remoteAddress: string
  /** The peer's node id when it presented one (x-raftkv-from, checked against the membership). */
  peerId: number | undefined
}

type MessageListener = (bytes: Uint8Array) => void
type CloseListener = (code: number, reason: string) => void

let nextConnectionId = 1
export function newConnectionId(): number {
  return nextConnectionId++
}

/** Close reasons are at most 123 bytes on the wire. */
function clampReason(reason: string): string {
  let r = reason
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1)
  return r
}

export class Connection {
  readonly id: number
  readonly path: ConnectionPath
  readonly direction: 'in' | 'out'
  readonly remoteAddress: string
  readonly peerId: number | undefined
  private readonly ws: WebSocket
  private readonly log: Logger
  private readonly messageListeners = new Set<MessageListener>()
  private readonly closeListeners = new Set<CloseListener>()
  private closed: { code: number; reason: string } | undefined
  private pingTimer: NodeJS.Timeout | undefined
  private alive = true

  constructor(ws: WebSocket, info: ConnectionInfo, logger: Logger) {
    this.ws = ws
    this.id = info.id
    this.path = info.path
    this.direction = info.direction
    this.remoteAddress = info.remoteAddress
    this.peerId = info.peerId
    this.log = logger.child({ conn: info.id, path: info.path, remote: info.remoteAddress, peer: info.peerId })
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data, isBinary) => this.handleMessage(data, isBinary))
    ws.on('pong', () => { this.alive = true })
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself after these; we only say why.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.log.warn({ err: err.message }, 'closing connection: frame over the size limit (1009)')
      } else {
        this.log.warn({ err: err.message, code: err.code }, 'connection error')
      }
    })
    ws.on('close', (code, reason) => this.handleClose(code, reason.toString()))
  }

  get isOpen(): boolean {
    return this.closed === undefined && this.ws.readyState === WebSocket.OPEN
  }

  /** Bytes handed to send() and not yet written to the kernel. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }

  /**
   * Sends one binary frame. `done` runs once the frame is written to the kernel (or
   * failed); on a closed connection it gets a ConnectionClosedError.
   */
  send(bytes: Uint8Array, done?: (err?: Error) => void): void {
    if (!this.isOpen) {
      if (done) queueMicrotask(() => done(new ConnectionClosedError(`connection ${this.id} is closed`)))
      return
    }
    this.ws.send(bytes, { binary: true }, (err) => done?.(err ?? undefined))
  }

  onMessage(cb: MessageListener): () => void {
    this.messageListeners.add(cb)
    return () => this.messageListeners.delete(cb)
  }

  /** Runs once when the connection closes (right away, asynchronously, if it already has). */
  onClose(cb: CloseListener): () => void {
    const closed = this.closed
    if (closed) {
      queueMicrotask(() => cb(closed.code, closed.reason))
      return () => {}
    }
    this.closeListeners.add(cb)
    return () => this.closeListeners.delete(cb)
  }

  close(code: number = CloseCode.Normal, reason = ''): void {
    this.stopKeepAlive()
    if (this.ws.readyState === WebSocket.CLOSED) return
    this.ws.close(code, clampReason(reason))
  }

  /** Drops the socket without a closing handshake. */
  terminate(): void {
    this.stopKeepAlive()
    this.ws.terminate()
  }

  /** Stops reading frames (the peer's writes back up in TCP) until resume(). */
  pause(): void {
    this.ws.pause()
  }

  resume(): void {
    this.ws.resume()
  }

  /** Pings every intervalMs; a socket that did not answer the previous ping is dropped. */
  keepAlive(intervalMs: number): void {
    this.stopKeepAlive()
    this.alive = true
    this.pingTimer = setInterval(() => {
      if (!this.alive) {
        this.log.warn({ intervalMs }, 'closing connection: no pong since the last ping')
        this.terminate()
        return
      }
      this.alive = false
      if (this.ws.readyState === WebSocket.OPEN) this.ws.ping()
    }, intervalMs)
    this.pingTimer.unref()
  }

  private stopKeepAlive(): void {
    if (this.pingTimer) clearInterval(this.pingTimer)
    this.pingTimer = undefined
  }

  private handleMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closed) return
    if (!isBinary) {
      this.log.warn('closing connection: text frame where binary frames are expected (1003)')
      this.close(CloseCode.UnsupportedData, 'binary frames only')
      return
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    for (const cb of this.messageListeners) {
      try {
        cb(bytes)
      } catch (err) {
        this.log.error({ err }, 'message handler threw')
      }
    }
  }

  private handleClose(code: number, reason: string): void {
    this.stopKeepAlive()
    if (this.closed) return
    this.closed = { code, reason }
    this.log.debug({ code, reason }, 'connection closed')
    const listeners = [...this.closeListeners]
    this.closeListeners.clear()
    this.messageListeners.clear()
    for (const cb of listeners) {
      try {
        cb(code, reason)
      } catch (err) {
        this.log.error({ err }, 'close handler threw')
      }
    }
  }
}
