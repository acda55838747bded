// The one long-lived /raft WebSocket between this node and one peer, and the bounded
// queue of frames waiting for it. The node with the smaller id dials (and redials with
// backoff); the other side waits for the dial and takes the newest connection.
import type { Logger } from 'pino'
import WebSocket from 'ws'
import { Backoff } from './backoff.js'
import { Connection, newConnectionId } from './connection.js'
import { CloseCode } from './constants.js'
import type { FaultFilter } from './faults.js'
import { FrameQueue } from './frame-queue.js'
import { dialPeer } from './dial-peer.js'
import { probePeer } from './probe-peer.js'
import type { Counters, PeerLinkStats } from './stats.js'

/**
 * A closed link's peer that still listens is asked again this often, up to PROBE_TRIES
 * times (half a second): a killed process's sockets close one by one, its listener a
 * moment after its links. One second probe 100 ms later left the survivors of a killed
 * leader noticing it up to 100 ms apart, as far apart as their staggered campaigns, and
 * they split the vote (seen in bench:kv: 1.5 s to the first put instead of ~50 ms).
 */
const PROBE_AGAIN_MS = 10
const PROBE_TRIES = 50

export interface PeerLinkSettings {
  maxFrameBytes: number
  maxQueueBytes: number
  socketHighWaterBytes: number
  backoffBaseMs: number
  backoffMaxMs: number
  keepAliveMs: number
  handshakeTimeoutMs: number
  closeGraceMs: number
}

/** What a link needs from its PeerTransport. */
export interface LinkContext {
  nodeId: number
  token: string
  logger: Logger
  settings: PeerLinkSettings
  faults: FaultFilter
  counters: Counters
  rng: () => number
  /** A frame arrived on this link's connection `conn`. */
  deliver(link: PeerLink, conn: Connection, bytes: Uint8Array): void
  unreachable(peerId: number): void
  /** The link closed and nothing listens at the peer's address any more: it is gone. */
  lost(peerId: number): void
  /** The peer, which once accepted us, says we are no longer in its membership. */
  removedBy(peerId: number, how: string): void
}

export class PeerLink {
  readonly id: number
  readonly mode: 'dial' | 'accept'
  private addr: string
  private readonly ctx: LinkContext
  private readonly log: Logger
  private readonly queue = new FrameQueue()
  private readonly backoff: Backoff
  private conn: Connection | undefined
  private dialing: WebSocket | undefined
  private reconnectTimer: NodeJS.Timeout | undefined
  private delayTimer: NodeJS.Timeout | undefined
  private everConnected = false
  private reconnects = 0
  private failuresInARow = 0
  private closed = false

  constructor(ctx: LinkContext, id: number, addr: string) {
    this.ctx = ctx
    this.id = id
    this.addr = addr
    this.mode = ctx.nodeId < id ? 'dial' : 'accept'
    this.log = ctx.logger.child({ peer: id })
    this.backoff = new Backoff({ baseMs: ctx.settings.backoffBaseMs, maxMs: ctx.settings.backoffMaxMs, rng: ctx.rng })
    if (this.mode === 'dial') this.dial()
  }

  get address(): string {
    return this.addr
  }

  get connected(): boolean {
    return this.conn?.isOpen ?? false
  }

  /** A new address for the peer: a dialer drops its socket and dials the new one now. */
  setAddress(addr: string): void {
    if (addr === this.addr) return
    this.log.info({ from: this.addr, to: addr }, 'peer address changed')
    this.addr = addr
    if (this.mode !== 'dial' || this.closed) return
    this.cancelReconnect()
    this.dialing?.terminate()
    this.dialing = undefined
    const conn = this.conn
    this.conn = undefined
    conn?.close(CloseCode.Normal, 'peer address changed')
    this.backoff.reset()
    this.dial()
  }

  /**
   * Queues one frame, held delayMs. Returns false (and keeps nothing) when the
   * frame would take the queue, plus what the socket still buffers, over its bound.
   */
  enqueue(bytes: Uint8Array, count: number, delayMs: number): boolean {
    if (this.closed) return false
    const buffered = this.conn?.bufferedAmount ?? 0
    if (this.queue.byteLength + buffered + bytes.length > this.ctx.settings.maxQueueBytes) return false
    this.queue.push(bytes, count, performance.now(), delayMs)
    this.pump()
    return true
  }

  /** Takes an accepted connection from the peer; a newer one replaces an older one. */
  attach(conn: Connection): void {
    if (this.closed) {
      conn.close(CloseCode.GoingAway, 'node shutting down')
      return
    }
    const old = this.conn
    if (old) {
      // Either the peer restarted (its old socket is dead and unnoticed yet), or someone
      // else presented its credential: say so loudly, with both remote addresses.
      this.log.warn({ event: 'peer-link-taken-over', old: old.id, oldRemote: old.remoteAddress, new: conn.id, newRemote: conn.remoteAddress },
        `a new connection claiming node ${this.id} replaces the open one (close 4000): expected after a restart of node ${this.id}, suspicious otherwise`)
      old.close(CloseCode.Replaced, 'replaced by a newer connection from the same peer')
    }
    this.use(conn)
  }

  stats(): PeerLinkStats {
    return {
      id: this.id,
      addr: this.addr,
      mode: this.mode,
      connected: this.connected,
      queuedFrames: this.queue.length,
      queuedBytes: this.queue.byteLength,
      bufferedBytes: this.conn?.bufferedAmount ?? 0,
      reconnects: this.reconnects,
    }
  }

  /** Stops everything: timers, dial, socket; queued messages count as dropped. */
  async close(code: number, reason: string): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.cancelReconnect()
    if (this.delayTimer) clearTimeout(this.delayTimer)
    this.delayTimer = undefined
    const { messages } = this.queue.clear()
    this.ctx.counters.dropped.removed += messages
    const dialing = this.dialing
    this.dialing = undefined
    dialing?.terminate()
    const conn = this.conn
    this.conn = undefined
    if (!conn || !conn.isOpen) return
    await new Promise<void>((resolve) => {
      const grace = setTimeout(() => {
        conn.terminate()
        resolve()
      }, this.ctx.settings.closeGraceMs)
      conn.onClose(() => {
        clearTimeout(grace)
        resolve()
      })
      conn.close(code, reason)
    })
  }

  private use(conn: Connection): void {
    if (this.everConnected) {
      this.reconnects++
      this.ctx.counters.reconnects++
    }
    this.everConnected = true
    this.conn = conn
    if (this.ctx.settings.keepAliveMs > 0) conn.keepAlive(this.ctx.settings.keepAliveMs)
    conn.onMessage((bytes) => this.ctx.deliver(this, conn, bytes))
    conn.onClose((code, reason) => {
      if (this.conn !== conn) return // replaced, or we closed it on purpose
      this.conn = undefined
      if (this.closed) return
      this.log.info({ code, reason, conn: conn.id }, 'peer connection lost')
      this.ctx.unreachable(this.id)
      // 1001 on /raft: the peer said it is shutting down. Otherwise ask its address.
      if (code === CloseCode.GoingAway) this.gone('the peer closed our link shutting down')
      else this.probeGone()
      if (code === CloseCode.PeerRemoved) this.ctx.removedBy(this.id, `node ${this.id} closed our link with ${code} (${reason})`)
      if (this.mode === 'dial') this.scheduleReconnect()
    })
    this.log.info({ conn: conn.id, mode: this.mode, addr: this.addr }, 'peer connected')
    this.pump()
  }

  /**
   * After the connection closed: a TCP connect to the peer's address (either side of the
   * link can make it; again every 10 ms for half a second while it is accepted). Refused means
   * the process is gone: say so at once, so that raft need not wait out an election timeout.
   * A peer that answers, or a probe that times out, says nothing.
   */
  private probeGone(triesLeft = PROBE_TRIES): void {
    void probePeer(this.addr, this.ctx.settings.handshakeTimeoutMs).then((r) => {
      if (this.closed || this.connected) return
      if (r === 'listening' && triesLeft > 1) {
        // A peer shutting down closes its sockets a moment before its listener: ask again.
        setTimeout(() => this.probeGone(triesLeft - 1), PROBE_AGAIN_MS).unref()
        return
      }
      if (r === 'refused') this.gone('peer connection lost and its address refuses connections')
    })
  }

  private gone(why: string): void {
    this.log.info({ addr: this.addr }, `${why}: peer gone`)
    this.ctx.lost(this.id)
  }

  private dial(): void {
    if (this.closed) return
    const addr = this.addr
    const ws: WebSocket | undefined = dialPeer({
      addr, path: '/raft', token: this.ctx.token, fromId: this.ctx.nodeId, expectId: this.id,
      maxPayload: this.ctx.settings.maxFrameBytes, handshakeTimeoutMs: this.ctx.settings.handshakeTimeoutMs,
    }, {
      open: (opened) => {
        if (this.dialing !== opened) return // abandoned meanwhile
        this.dialing = undefined
        this.failuresInARow = 0
        this.backoff.reset()
        const conn = new Connection(opened, {
          id: newConnectionId(), path: '/raft', direction: 'out', remoteAddress: addr, peerId: this.id,
        }, this.ctx.logger)
        this.use(conn)
      },
      failed: (reason, wrongNode, httpStatus) => {
        if (ws !== undefined && this.dialing !== ws) return // abandoned meanwhile
        this.dialing = undefined
        // 403 from a peer that accepted us before: it no longer counts us as a member.
        if (httpStatus === 403 && this.everConnected) this.ctx.removedBy(this.id, `node ${this.id} refused our dial with 403`)
        if (wrongNode) {
          this.log.warn({ addr }, `peer address ${reason}`)
          this.dialFailed('wrong node at the address')
          return
        }
        this.dialFailed(reason)
      },
    })
    this.dialing = ws
  }

  private dialFailed(reason: string): void {
    if (this.closed) return
    this.failuresInARow++
    // The first failure of a run is worth a warning; the redials after it are noise.
    const level = this.failuresInARow === 1 ? 'warn' : 'debug'
    this.log[level]({ addr: this.addr, reason, failures: this.failuresInARow }, 'dial to peer failed')
    this.ctx.unreachable(this.id)
    this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return
    const delay = this.backoff.next()
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      this.dial()
    }, delay)
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
  }

  /** Hands ready frames to the socket while it buffers less than the high-water mark. */
  private pump(): void {
    const conn = this.conn
    if (!conn || !conn.isOpen) return
    const now = performance.now()
    for (let head = this.queue.peek(); head; head = this.queue.peek()) {
      if (head.readyAt > now) {
        this.armDelay(head.readyAt - now)
        return
      }
      // Each send's callback pumps again once the kernel took the bytes.
      if (conn.bufferedAmount >= this.ctx.settings.socketHighWaterBytes) return
      this.queue.shift()
      if (this.ctx.faults.isBlocked(this.id)) {
        // Blocked while it waited out a delay.
        this.ctx.counters.dropped.blocked += head.count
        continue
      }
      const frame = head
      conn.send(frame.bytes, (err) => {
        const c = this.ctx.counters
        if (err) {
          c.dropped.connectionLost += frame.count
        } else {
          c.framesSent++
          c.messagesSent += frame.count
          c.bytesSent += frame.bytes.length
        }
        this.pump()
      })
    }
  }

  private armDelay(ms: number): void {
    if (this.delayTimer) return
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined
      this.pump()
    }, Math.max(1, Math.ceil(ms)))
  }
}
