// The sending end of snapshot transfers: one /snapshot connection per transfer (so raft
// heartbeats on /raft never wait behind it), a window of unacknowledged bytes, an
// optional rate limit, at most maxConcurrent transfers at once, per-chunk CRC-32,
// progress reports, idle and overall timeouts, cancellation by AbortSignal.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import WebSocket from 'ws'
import type { eraftpb, snappb } from '../../proto/generated/protos.js'
import { Connection, newConnectionId } from './connection.js'
import { dialPeer } from './dial-peer.js'
import { CloseCode, MiB } from './constants.js'
import {
  BadFrameError, ConnectionClosedError, InvalidArgumentError, ServerStateError, SnapshotCancelledError,
  SnapshotFailedError, SnapshotRefusedError, SnapshotTimeoutError, TransportError, SNAPSHOT_FAILURE_CODES,
  type SnapshotFailureCode,
} from './errors.js'
import {
  chunkChecksum, chunkRequestLength, decodeResponse, encodeChunkRequest, encodeRequest, type SnapshotResponseFrame,
} from './snapshot-codec.js'
import { snapshotIndexTerm, type ProgressListener, type SnapshotProgress } from './snapshot-types.js'
import { checkAddr, checkInt, checkNodeId, checkNonNegative, checkToken } from './validate.js'
import { Waker } from './waker.js'

export interface SnapshotSenderOptions {
  nodeId: number
  token: string
  logger: Logger
  /** Outgoing transfers at once (default 1); send() beyond it fails with SnapshotRefusedError('busy'). */
  maxConcurrent?: number
  /** Unacknowledged bytes in flight per transfer (default 4 MiB; the receiver may grant less). */
  windowBytes?: number
  /** Largest chunk accepted from the source (default 1 MiB); must fit the receiver's /snapshot frame limit. */
  maxChunkBytes?: number
  /** MiB (2^20 bytes) per second per transfer; 0 = unlimited (default). */
  rateLimitMBps?: number
  /** Fail when the receiver sends nothing (keepalives included) for this long (default 10 s). */
  idleTimeoutMs?: number
  handshakeTimeoutMs?: number
}

export interface SendSnapshotRequest {
  peerId: number
  /** host:port of the peer's server. */
  addr: string
  /** The MsgSnapshot (metadata + RaftSnapshotData) these chunks belong to. */
  message: eraftpb.Message.$Properties
  /**
   * The chunks, in order. Each one is copied into its frame before the next is asked for,
   * so a source may reuse its buffers once it is asked for the next chunk.
   */
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
  /** For progress reports; 0 or absent when unknown. */
  totalBytes?: number
  totalChunks?: number
  signal?: AbortSignal
  onProgress?: ProgressListener
  /** The whole transfer must finish within this (0 or absent = no limit). */
  timeoutMs?: number
}

export interface SnapshotSendResult {
  transferId: string
  bytes: number
  chunks: number
  elapsedMs: number
  rateBytesPerSec: number
}

export interface SnapshotSenderStats {
  sent: number
  failed: number
  active: number
}

interface Settings {
  nodeId: number
  token: string
  windowBytes: number
  maxChunkBytes: number
  rateBytesPerMs: number
  idleTimeoutMs: number
  handshakeTimeoutMs: number
}

export class SnapshotSender {
  private readonly settings: Settings
  private readonly maxConcurrent: number
  private readonly log: Logger
  private readonly active = new Set<OutgoingTransfer>()
  private counters = { sent: 0, failed: 0 }
  private closed = false

  constructor(opts: SnapshotSenderOptions) {
    const rate = checkNonNegative('rateLimitMBps', opts.rateLimitMBps, 0)
    this.settings = {
      nodeId: checkNodeId('nodeId', opts.nodeId),
      token: checkToken(opts.token),
      windowBytes: checkInt('windowBytes', opts.windowBytes, 4 * MiB, 1, 2 ** 31 - 1),
      maxChunkBytes: checkInt('maxChunkBytes', opts.maxChunkBytes, MiB, 1, 2 ** 30),
      rateBytesPerMs: (rate * MiB) / 1000,
      idleTimeoutMs: checkInt('idleTimeoutMs', opts.idleTimeoutMs, 10_000, 20, 3_600_000),
      handshakeTimeoutMs: checkInt('handshakeTimeoutMs', opts.handshakeTimeoutMs, 5000, 1, 600_000),
    }
    this.maxConcurrent = checkInt('maxConcurrent', opts.maxConcurrent, 1, 1, 1024)
    this.log = opts.logger.child({ component: 'snapshot-sender', node: this.settings.nodeId })
  }

  /** Streams one snapshot; resolves once the receiver's handler finished it. */
  async send(req: SendSnapshotRequest): Promise<SnapshotSendResult> {
    if (this.closed) throw new ServerStateError('the snapshot sender is closed')
    checkNodeId('peerId', req.peerId)
    checkAddr('addr', req.addr)
    checkInt('totalBytes', req.totalBytes, 0, 0)
    checkInt('totalChunks', req.totalChunks, 0, 0)
    checkInt('timeoutMs', req.timeoutMs, 0, 0)
    if (this.active.size >= this.maxConcurrent) {
      throw new SnapshotRefusedError('busy', `already sending ${this.active.size} snapshot(s), the limit is ${this.maxConcurrent}`)
    }
    const t = new OutgoingTransfer(this.settings, req, this.log)
    this.active.add(t)
    try {
      const result = await t.run()
      this.counters.sent++
      return result
    } catch (err) {
      this.counters.failed++
      throw err
    } finally {
      this.active.delete(t)
    }
  }

  transfers(): SnapshotProgress[] {
    return [...this.active].map((t) => t.progress())
  }

  stats(): SnapshotSenderStats {
    return { ...this.counters, active: this.active.size }
  }

  /** Cancels every transfer in flight and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.active].map((t) => t.cancel('the snapshot sender is closing')))
  }
}

/** Chunk frame buffers are allocated in multiples of this. */
const FRAME_BUFFER_ROUNDING = 64 * 1024

function toAsyncIterator(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  return Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]()
}

function failureFromReport(f: snappb.Failure): TransportError {
  const code = (SNAPSHOT_FAILURE_CODES as readonly string[]).includes(f.code) ? (f.code as SnapshotFailureCode) : 'protocol'
  const reason = `receiver reported ${f.code}: ${f.reason}`
  if (code === 'busy' || code === 'refused') return new SnapshotRefusedError(code, reason)
  return new SnapshotFailedError(code, reason)
}

class OutgoingTransfer {
  readonly id = randomUUID()
  private readonly waker = new Waker()
  private readonly log: Logger
  private readonly startedAtMs = Date.now()
  private readonly t0 = performance.now()
  private readonly index: number
  private readonly term: number
  private state: SnapshotProgress['state'] = 'connecting'
  private conn: Connection | undefined
  private dialing: WebSocket | undefined
  private iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined
  private window: number
  private accepted = false
  private done = false
  private finished = false
  private sentChunks = 0
  private sentBytes = 0
  private ackedChunks = 0
  private ackedBytes = 0
  private readonly inflight: number[] = []
  /** Chunk frame buffers the socket has written out, for the next chunks (at most a window's worth). */
  private readonly spareFrames: Buffer[] = []
  private spareBytes = 0
  private idleTimer: NodeJS.Timeout | undefined
  private keepAliveTimer: NodeJS.Timeout | undefined
  private overallTimer: NodeJS.Timeout | undefined
  private failReason: string | undefined
  private running: Promise<SnapshotSendResult> | undefined

  constructor(private readonly s: Settings, private readonly req: SendSnapshotRequest, logger: Logger) {
    this.window = s.windowBytes
    const { index, term } = snapshotIndexTerm(req.message)
    this.index = index
    this.term = term
    this.log = logger.child({ transfer: this.id, peer: req.peerId, index, term })
  }

  progress(): SnapshotProgress {
    const elapsedSec = (performance.now() - this.t0) / 1000
    return {
      transferId: this.id,
      peerId: this.req.peerId,
      direction: 'send',
      index: this.index,
      term: this.term,
      bytesDone: this.ackedBytes,
      bytesTotal: this.req.totalBytes ?? 0,
      chunksDone: this.ackedChunks,
      chunksTotal: this.req.totalChunks ?? 0,
      rateBytesPerSec: elapsedSec > 0 ? this.ackedBytes / elapsedSec : 0,
      startedAtMs: this.startedAtMs,
      state: this.state,
      ...(this.failReason !== undefined ? { reason: this.failReason } : {}),
    }
  }

  /** Fails the transfer as cancelled; resolves once run() has cleaned up. */
  async cancel(reason: string): Promise<void> {
    this.fail(new SnapshotCancelledError(reason), true)
    await this.running?.catch(() => {})
  }

  run(): Promise<SnapshotSendResult> {
    this.running ??= this.transfer()
    return this.running
  }

  private async transfer(): Promise<SnapshotSendResult> {
    const { signal } = this.req
    const onAbort = (): void => this.fail(new SnapshotCancelledError(`cancelled: ${String(signal?.reason ?? 'aborted')}`), true)
    if (signal?.aborted) onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (this.req.timeoutMs) {
      const ms = this.req.timeoutMs
      this.overallTimer = setTimeout(() => this.fail(new SnapshotTimeoutError(`the transfer did not finish within ${ms} ms`), true), ms)
    }
    this.log.info({ addr: this.req.addr, totalBytes: this.req.totalBytes ?? 0 }, 'snapshot transfer starting')
    this.emit()
    try {
      this.conn = await this.waker.race(this.dial())
      this.armIdle()
      this.keepAliveTimer = setInterval(() => this.conn?.send(encodeRequest({ keepAlive: {} })), Math.max(5, this.s.idleTimeoutMs / 4))
      this.conn.send(encodeRequest({
        header: {
          transferId: this.id,
          message: this.req.message,
          totalBytes: this.req.totalBytes ?? 0,
          totalChunks: this.req.totalChunks ?? 0,
          windowBytes: this.s.windowBytes,
        },
      }))
      await this.waker.until(() => this.accepted)
      this.state = 'sending'
      this.emit()
      await this.pumpChunks()
      this.conn.send(encodeRequest({ end: { chunks: this.sentChunks, bytes: this.sentBytes } }))
      this.state = 'finishing'
      this.emit()
      await this.waker.until(() => this.done)
      this.finished = true
      this.state = 'done'
      const result = this.result()
      this.log.info({ bytes: result.bytes, chunks: result.chunks, elapsedMs: Math.round(result.elapsedMs) }, 'snapshot transfer done')
      this.emit()
      this.conn.close(CloseCode.Normal, 'done')
      return result
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err))
      this.fail(e instanceof TransportError ? e : new SnapshotFailedError('aborted', `chunk source failed: ${e.message}`, { cause: e }), true)
      const failure = this.waker.failed ?? e
      this.state = 'failed'
      this.failReason = failure.message
      this.log.warn({ err: failure.message, code: (failure as TransportError).code, bytesAcked: this.ackedBytes }, 'snapshot transfer failed')
      this.emit()
      throw failure
    } finally {
      signal?.removeEventListener('abort', onAbort)
      clearTimeout(this.overallTimer)
      clearTimeout(this.idleTimer)
      clearInterval(this.keepAliveTimer)
      this.spareFrames.length = 0
      this.spareBytes = 0
      this.dialing?.terminate()
      if (!this.finished && this.iterator?.return) {
        try {
          await this.iterator.return()
        } catch (err) {
          this.log.debug({ err }, 'chunk source threw on return()')
        }
      }
    }
  }

  private result(): SnapshotSendResult {
    const elapsedMs = performance.now() - this.t0
    return {
      transferId: this.id,
      bytes: this.ackedBytes,
      chunks: this.ackedChunks,
      elapsedMs,
      rateBytesPerSec: elapsedMs > 0 ? (this.ackedBytes * 1000) / elapsedMs : 0,
    }
  }

  private emit(): void {
    if (!this.req.onProgress) return
    try {
      this.req.onProgress(this.progress())
    } catch (err) {
      this.log.error({ err }, 'onProgress listener threw')
    }
  }

  /** Fails the transfer once; tells the receiver (Abort) when the failure is ours. */
  private fail(err: Error, tellPeer: boolean, closeCode: number = CloseCode.Normal): void {
    if (this.finished || !this.waker.fail(err)) return
    const conn = this.conn
    if (conn?.isOpen) {
      if (tellPeer) conn.send(encodeRequest({ abort: { reason: err.message } }))
      conn.close(closeCode, 'snapshot transfer failed')
    }
  }

  private async pumpChunks(): Promise<void> {
    const it = toAsyncIterator(this.req.chunks)
    this.iterator = it
    for (;;) {
      const r = await this.waker.race(Promise.resolve(it.next()))
      if (r.done) break
      const data: unknown = r.value
      if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('snapshot chunks must be Uint8Array')
      if (data.length > this.s.maxChunkBytes) {
        throw new InvalidArgumentError(`snapshot chunk of ${data.length} bytes is over maxChunkBytes (${this.s.maxChunkBytes})`)
      }
      if (data.length === 0) continue
      // A chunk larger than the window still goes once nothing else is in flight.
      await this.waker.until(() => this.inflight.length === 0 || this.sentBytes - this.ackedBytes + data.length <= this.window)
      if (this.s.rateBytesPerMs > 0) {
        const due = this.t0 + this.sentBytes / this.s.rateBytesPerMs
        const wait = due - performance.now()
        if (wait > 0) await this.waker.sleep(wait)
      }
      const chunk = { seq: this.sentChunks, offset: this.sentBytes, data, crc32: chunkChecksum(data) }
      const buf = this.takeFrameBuffer(chunkRequestLength(chunk))
      this.conn!.send(encodeChunkRequest(chunk, buf), (err) => {
        // Written to the kernel: the buffer is ours again.
        if (!err) this.giveFrameBuffer(buf)
      })
      this.inflight.push(data.length)
      this.sentChunks++
      this.sentBytes += data.length
    }
    this.iterator = undefined
    // Drained: return() is no longer needed.
  }

  /**
   * A buffer for a chunk frame: one the socket is done with when it fits, else a new one.
   * Reusing them spares the page faults (and GC) of a fresh megabyte per chunk, which cost
   * far more than copying the chunk in: 1 GiB of 1 MiB chunks took the sender ~4.3 s of
   * CPU with a new buffer each, ~1.5 s reused. A buffer comes back only once ws's send
   * callback says it was written to the kernel; the spares stay within one window.
   */
  private takeFrameBuffer(length: number): Buffer {
    for (let i = this.spareFrames.length - 1; i >= 0; i--) {
      const b = this.spareFrames[i]!
      if (b.length >= length) {
        this.spareFrames.splice(i, 1)
        this.spareBytes -= b.length
        return b
      }
    }
    // Rounded up, so that chunks of slightly different sizes share buffers.
    return Buffer.allocUnsafe(Math.ceil(length / FRAME_BUFFER_ROUNDING) * FRAME_BUFFER_ROUNDING)
  }

  private giveFrameBuffer(b: Buffer): void {
    if (this.finished || this.waker.failed) return
    if (this.spareBytes + b.length > Math.max(this.window, b.length)) return
    this.spareFrames.push(b)
    this.spareBytes += b.length
  }

  private dial(): Promise<Connection> {
    const { addr, peerId } = this.req
    return new Promise((resolve, reject) => {
      this.dialing = dialPeer({
        addr, path: '/snapshot', token: this.s.token, fromId: this.s.nodeId, expectId: peerId,
        maxPayload: 64 * 1024, handshakeTimeoutMs: this.s.handshakeTimeoutMs,
      }, {
        open: (ws) => {
          this.dialing = undefined
          const conn = new Connection(ws, {
            id: newConnectionId(), path: '/snapshot', direction: 'out', remoteAddress: addr, peerId,
          }, this.log)
          conn.onMessage((bytes) => this.onFrame(bytes))
          conn.onClose((code, reason) => {
            if (this.finished) return
            this.fail(new ConnectionClosedError(`/snapshot connection closed (${code}${reason ? ` ${reason}` : ''}) before the transfer finished`), false)
          })
          resolve(conn)
        },
        failed: (reason, wrongNode) => {
          this.dialing = undefined
          reject(new ConnectionClosedError(wrongNode ? reason : `cannot open /snapshot on ${addr}: ${reason}`))
        },
      })
    })
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer)
    const ms = this.s.idleTimeoutMs
    this.idleTimer = setTimeout(() => this.fail(new SnapshotTimeoutError(`nothing from node ${this.req.peerId} for ${ms} ms`), true), ms)
  }

  private onFrame(bytes: Uint8Array): void {
    if (this.waker.failed || this.finished) return
    this.armIdle()
    let frame: SnapshotResponseFrame
    try {
      frame = decodeResponse(bytes)
    } catch (err) {
      if (!(err instanceof BadFrameError)) throw err
      this.fail(new SnapshotFailedError('protocol', `receiver sent a bad frame: ${err.message}`), true, CloseCode.InvalidPayload)
      return
    }
    const protocol = (msg: string): void => this.fail(new SnapshotFailedError('protocol', msg), true, CloseCode.PolicyViolation)
    switch (frame.kind) {
      case 'accept':
        if (this.accepted) return protocol('a second Accept')
        this.accepted = true
        if (frame.accept.windowBytes > 0) this.window = Math.min(this.window, frame.accept.windowBytes)
        break
      case 'ack': {
        const size = this.inflight[0]
        if (size === undefined || frame.ack.seq !== this.ackedChunks || frame.ack.bytes !== this.ackedBytes + size) {
          return protocol(`unexpected Ack (seq ${frame.ack.seq}, bytes ${frame.ack.bytes})`)
        }
        this.inflight.shift()
        this.ackedChunks++
        this.ackedBytes += size
        this.emit()
        break
      }
      case 'done':
        if (this.state !== 'finishing' || this.inflight.length > 0) return protocol('Done before every chunk was acknowledged')
        this.done = true
        break
      case 'failure':
        this.fail(failureFromReport(frame.failure), false)
        return
      case 'keepAlive':
        return
    }
    this.waker.wake()
  }
}

