// The receiving end of snapshot transfers on /snapshot: at most maxConcurrent at once
// (beyond that a transfer is refused as 'busy'), chunks checked (order, offset, CRC-32)
// and handed one at a time to the handler's sink, each acknowledged once the sink took
// it — so the sender's window is the backpressure — and the outcome reported back.
import type { Logger } from 'pino'
import { eraftpb, type snappb } from '../../proto/generated/protos.js'
import type { Connection } from './connection.js'
import { CloseCode, MiB } from './constants.js'
import {
  BadFrameError, ConnectionClosedError, SnapshotCancelledError, SnapshotFailedError, SnapshotRefusedError,
  SnapshotTimeoutError, TransportError, type SnapshotFailureCode,
} from './errors.js'
import { chunkChecksum, decodeRequest, encodeResponse, type SnapshotRequestFrame } from './snapshot-codec.js'
import {
  snapshotIndexTerm, type ProgressListener, type SnapshotHandler, type SnapshotProgress, type SnapshotSink,
} from './snapshot-types.js'
import { checkInt } from './validate.js'

export interface SnapshotReceiverOptions {
  logger: Logger
  handler: SnapshotHandler
  /** Incoming transfers at once (default 1); beyond it a transfer is refused as 'busy'. */
  maxConcurrent?: number
  /** Largest window granted to a sender (default 8 MiB). */
  maxWindowBytes?: number
  /** Fail when the sender sends nothing (keepalives included) for this long (default 10 s). */
  idleTimeoutMs?: number
  onProgress?: ProgressListener
}

export interface SnapshotReceiverStats {
  received: number
  failed: number
  refused: number
  active: number
}

/** What an IncomingTransfer needs from its receiver. */
interface ReceiverContext {
  handler: SnapshotHandler
  maxWindowBytes: number
  idleTimeoutMs: number
  log: Logger
  limit: number
  takeSlot(): boolean
  ended(t: IncomingTransfer, outcome: 'received' | 'failed' | 'refused', heldSlot: boolean): void
  report(p: SnapshotProgress): void
}

export class SnapshotReceiver {
  private readonly handler: SnapshotHandler
  private readonly maxConcurrent: number
  private readonly maxWindowBytes: number
  private readonly idleTimeoutMs: number
  private readonly onProgress: ProgressListener | undefined
  private readonly log: Logger
  private readonly transfersInFlight = new Set<IncomingTransfer>()
  private readonly counters = { received: 0, failed: 0, refused: 0 }
  /** Transfers holding one of the maxConcurrent slots. */
  private slots = 0
  private closed = false
  private readonly ctx: ReceiverContext

  constructor(opts: SnapshotReceiverOptions) {
    this.handler = opts.handler
    this.maxConcurrent = checkInt('maxConcurrent', opts.maxConcurrent, 1, 1, 1024)
    this.maxWindowBytes = checkInt('maxWindowBytes', opts.maxWindowBytes, 8 * MiB, 1, 2 ** 31 - 1)
    this.idleTimeoutMs = checkInt('idleTimeoutMs', opts.idleTimeoutMs, 10_000, 20, 3_600_000)
    this.onProgress = opts.onProgress
    this.log = opts.logger.child({ component: 'snapshot-receiver' })
    this.ctx = {
      handler: this.handler,
      maxWindowBytes: this.maxWindowBytes,
      idleTimeoutMs: this.idleTimeoutMs,
      log: this.log,
      limit: this.maxConcurrent,
      takeSlot: () => {
        if (this.slots >= this.maxConcurrent) return false
        this.slots++
        return true
      },
      ended: (t, outcome, heldSlot) => {
        this.transfersInFlight.delete(t)
        if (heldSlot) this.slots--
        this.counters[outcome]++
      },
      report: (p) => {
        if (!this.onProgress) return
        try {
          this.onProgress(p)
        } catch (err) {
          this.log.error({ err }, 'onProgress listener threw')
        }
      },
    }
  }

  /** Give this to server.onConnection('/snapshot', receiver.handle). */
  readonly handle = (conn: Connection): void => {
    if (this.closed) {
      conn.close(CloseCode.GoingAway, 'node shutting down')
      return
    }
    const t = new IncomingTransfer(this.ctx, conn)
    this.transfersInFlight.add(t)
  }

  transfers(): SnapshotProgress[] {
    return [...this.transfersInFlight].filter((t) => t.started).map((t) => t.progress())
  }

  stats(): SnapshotReceiverStats {
    return { ...this.counters, active: this.slots }
  }

  /** Fails every transfer in flight (their sinks are aborted) and refuses new ones. */
  close(): void {
    this.closed = true
    for (const t of [...this.transfersInFlight]) t.cancel('node shutting down')
  }
}

type Phase = 'header' | 'offering' | 'receiving' | 'ending' | 'done' | 'failed'

class IncomingTransfer {
  private readonly conn: Connection
  private readonly owner: ReceiverContext
  private log: Logger
  private phase: Phase = 'header'
  private sink: SnapshotSink | undefined
  private heldSlot = false
  private transferId = ''
  private message: eraftpb.Message | undefined
  private totalBytes = 0
  private totalChunks = 0
  private window = 0
  private startedAtMs = 0
  private t0 = 0
  private nextSeq = 0
  private receivedBytes = 0
  private pendingBytes = 0
  private writtenChunks = 0
  private writtenBytes = 0
  private failReason: string | undefined
  /** Sink calls, in order: write, write, ..., finish | abort. */
  private chain: Promise<void> = Promise.resolve()
  private idleTimer: NodeJS.Timeout | undefined
  private keepAliveTimer: NodeJS.Timeout | undefined

  constructor(owner: ReceiverContext, conn: Connection) {
    this.owner = owner
    this.conn = conn
    const { idleTimeoutMs, log } = owner
    this.log = log.child({ conn: conn.id, peer: conn.peerId })
    conn.onMessage((bytes) => this.onFrame(bytes))
    conn.onClose((code, reason) => {
      if (this.phase === 'done' || this.phase === 'failed') return
      this.fail(new ConnectionClosedError(`/snapshot connection closed (${code}${reason ? ` ${reason}` : ''}) mid-transfer`), undefined)
    })
    this.armIdle()
    this.keepAliveTimer = setInterval(() => {
      if (this.conn.isOpen) this.conn.send(encodeResponse({ keepAlive: {} }))
    }, Math.max(5, idleTimeoutMs / 4))
  }

  get started(): boolean {
    return this.message !== undefined
  }

  progress(): SnapshotProgress {
    const { index, term } = this.message ? snapshotIndexTerm(this.message) : { index: 0, term: 0 }
    const elapsedSec = this.t0 > 0 ? (performance.now() - this.t0) / 1000 : 0
    const state: SnapshotProgress['state'] =
      this.phase === 'done' ? 'done' : this.phase === 'failed' ? 'failed' : this.phase === 'ending' ? 'finishing' : 'receiving'
    return {
      transferId: this.transferId,
      peerId: this.conn.peerId ?? 0,
      direction: 'receive',
      index,
      term,
      bytesDone: this.writtenBytes,
      bytesTotal: this.totalBytes,
      chunksDone: this.writtenChunks,
      chunksTotal: this.totalChunks,
      rateBytesPerSec: elapsedSec > 0 ? this.writtenBytes / elapsedSec : 0,
      startedAtMs: this.startedAtMs,
      state,
      ...(this.failReason !== undefined ? { reason: this.failReason } : {}),
    }
  }

  /** Fails the transfer; the sink's abort() runs after its pending call, which may outlive this. */
  cancel(reason: string): void {
    this.fail(new SnapshotCancelledError(reason), 'aborted', CloseCode.GoingAway)
  }

  /** (A method, so that TypeScript does not narrow the phase across awaits.) */
  private failed(): boolean {
    return this.phase === 'failed'
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer)
    const ms = this.owner.idleTimeoutMs
    this.idleTimer = setTimeout(() => {
      this.fail(new SnapshotTimeoutError(`nothing from the sender for ${ms} ms`), 'timeout')
    }, ms)
  }

  private stopTimers(): void {
    clearTimeout(this.idleTimer)
    clearInterval(this.keepAliveTimer)
  }

  /**
   * Fails once: reports `code` to the sender when given (not when the sender aborted or
   * the socket is gone), closes, and aborts the sink after its pending calls.
   */
  private fail(err: TransportError, code: SnapshotFailureCode | undefined, closeCode: number = CloseCode.Normal): void {
    if (this.phase === 'done' || this.phase === 'failed') return
    const wasStarted = this.started
    this.phase = 'failed'
    this.failReason = err.message
    this.stopTimers()
    if (this.conn.isOpen) {
      if (code) this.conn.send(encodeResponse({ failure: { code, reason: err.message } }))
      this.conn.close(closeCode, code ?? 'failed')
    }
    const refused = err instanceof SnapshotRefusedError
    const level = refused ? 'info' : 'warn'
    this.log[level]({ err: err.message, code: err.code, bytes: this.writtenBytes }, refused ? 'snapshot transfer refused' : 'snapshot transfer failed')
    const sink = this.sink
    if (sink) {
      this.chain = this.chain.catch(() => {}).then(async () => {
        try {
          await sink.abort(err)
        } catch (abortErr) {
          this.log.error({ err: abortErr }, 'snapshot sink abort() threw')
        }
      })
    }
    this.owner.ended(this, refused ? 'refused' : 'failed', this.heldSlot)
    this.heldSlot = false
    if (wasStarted) this.owner.report(this.progress())
  }

  private onFrame(bytes: Uint8Array): void {
    if (this.phase === 'done' || this.phase === 'failed') return
    this.armIdle()
    let frame: SnapshotRequestFrame
    try {
      frame = decodeRequest(bytes)
    } catch (err) {
      if (!(err instanceof BadFrameError)) throw err
      this.fail(new SnapshotFailedError('protocol', err.message), 'protocol', CloseCode.InvalidPayload)
      return
    }
    const protocol = (msg: string): void => {
      this.fail(new SnapshotFailedError('protocol', msg), 'protocol', CloseCode.PolicyViolation)
    }
    switch (frame.kind) {
      case 'header':
        if (this.phase !== 'header') return protocol('a second Header')
        this.onHeader(frame.header).catch((err: unknown) => {
          const msg = err instanceof Error ? err.message : String(err)
          this.fail(new SnapshotFailedError('handler', `taking the offer failed: ${msg}`, { cause: err }), 'handler')
        })
        return
      case 'chunk':
        if (this.phase !== 'receiving') return protocol('a Chunk before Accept or after End')
        return this.onChunk(frame.chunk.seq, frame.chunk.offset, frame.chunk.data, frame.chunk.crc32)
      case 'end':
        if (this.phase !== 'receiving') return protocol('End before Accept or twice')
        if (frame.end.chunks !== this.nextSeq || frame.end.bytes !== this.receivedBytes) {
          return protocol(`End says ${frame.end.chunks} chunks / ${frame.end.bytes} bytes, received ${this.nextSeq} / ${this.receivedBytes}`)
        }
        return this.onEnd()
      case 'abort':
        this.fail(new SnapshotCancelledError(`the sender aborted: ${frame.abort.reason}`), undefined)
        return
      case 'keepAlive':
        return
    }
  }

  private async onHeader(h: snappb.Header): Promise<void> {
    const message = h.message!
    this.transferId = h.transferId
    this.message = message instanceof eraftpb.Message ? message : eraftpb.Message.create(message)
    this.totalBytes = h.totalBytes
    this.totalChunks = h.totalChunks
    this.startedAtMs = Date.now()
    this.t0 = performance.now()
    this.log = this.log.child({ transfer: h.transferId, ...snapshotIndexTerm(message) })
    if (message.msgType !== eraftpb.MessageType.MsgSnapshot) {
      return this.fail(new SnapshotFailedError('protocol', `header carries message type ${message.msgType}, not MsgSnapshot`), 'protocol', CloseCode.PolicyViolation)
    }
    if (message.from !== this.conn.peerId) {
      return this.fail(new SnapshotFailedError('protocol', `MsgSnapshot from node ${message.from} over a connection from node ${this.conn.peerId}`), 'protocol', CloseCode.PolicyViolation)
    }
    if (!this.owner.takeSlot()) {
      return this.fail(new SnapshotRefusedError('busy', `already receiving ${this.owner.limit} snapshot(s), the limit`), 'busy', CloseCode.TryAgainLater)
    }
    this.heldSlot = true
    this.phase = 'offering'
    this.log.info({ totalBytes: h.totalBytes }, 'snapshot transfer offered')
    let sink: SnapshotSink
    try {
      // The sender waits for Accept; our keepalives tell it we live meanwhile.
      clearTimeout(this.idleTimer)
      sink = await this.owner.handler({
        transferId: h.transferId, peerId: this.conn.peerId ?? 0, message: this.message,
        totalBytes: h.totalBytes, totalChunks: h.totalChunks,
      })
    } catch (err) {
      if (err instanceof SnapshotRefusedError) return this.fail(err, err.reason)
      const msg = err instanceof Error ? err.message : String(err)
      return this.fail(new SnapshotFailedError('handler', `the snapshot handler failed: ${msg}`, { cause: err }), 'handler')
    }
    if (this.phase !== 'offering') {
      // Failed while the handler decided (connection lost, closing): discard.
      this.chain = this.chain.then(async () => {
        try {
          await sink.abort(new SnapshotCancelledError(this.failReason ?? 'transfer ended before it was accepted'))
        } catch (abortErr) {
          this.log.error({ err: abortErr }, 'snapshot sink abort() threw')
        }
      })
      return
    }
    this.sink = sink
    this.window = Math.min(h.windowBytes > 0 ? h.windowBytes : this.owner.maxWindowBytes, this.owner.maxWindowBytes)
    this.phase = 'receiving'
    this.armIdle()
    this.conn.send(encodeResponse({ accept: { windowBytes: this.window } }))
    this.owner.report(this.progress())
  }

  private onChunk(seq: number, offset: number, data: Uint8Array, crc: number): void {
    if (seq !== this.nextSeq || offset !== this.receivedBytes) {
      return this.fail(new SnapshotFailedError('protocol', `chunk ${seq} at offset ${offset}, expected chunk ${this.nextSeq} at ${this.receivedBytes}`), 'protocol', CloseCode.PolicyViolation)
    }
    if (chunkChecksum(data) !== crc) {
      return this.fail(new SnapshotFailedError('checksum', `chunk ${seq} fails its CRC-32`), 'checksum')
    }
    // The sender keeps its unacknowledged bytes within the window (or sends one chunk alone).
    if (this.pendingBytes > 0 && this.pendingBytes + data.length > this.window) {
      return this.fail(new SnapshotFailedError('protocol', `the sender overran the ${this.window}-byte window`), 'protocol', CloseCode.PolicyViolation)
    }
    this.nextSeq++
    this.receivedBytes += data.length
    this.pendingBytes += data.length
    const sink = this.sink!
    this.chain = this.chain.then(async () => {
      if (this.failed()) return
      try {
        await sink.write(data)
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err)
        this.fail(new SnapshotFailedError('handler', `the snapshot sink failed on chunk ${seq}: ${msg}`, { cause: err }), 'handler')
        return
      }
      if (this.failed()) return
      this.pendingBytes -= data.length
      this.writtenChunks++
      this.writtenBytes += data.length
      this.conn.send(encodeResponse({ ack: { seq, bytes: this.writtenBytes } }))
      this.owner.report(this.progress())
    })
  }

  private onEnd(): void {
    this.phase = 'ending'
    const sink = this.sink!
    // finish() may take a while (checksum over the whole snapshot): that is our side's work, not idleness.
    clearTimeout(this.idleTimer)
    this.chain = this.chain.then(async () => {
      if (this.failed()) return
      try {
        await sink.finish()
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err)
        this.fail(new SnapshotFailedError('handler', `the snapshot handler refused the finished transfer: ${msg}`, { cause: err }), 'handler')
        return
      }
      if (this.failed()) return
      this.phase = 'done'
      this.stopTimers()
      this.conn.send(encodeResponse({ done: {} }))
      this.conn.close(CloseCode.Normal, 'done')
      this.log.info({ bytes: this.writtenBytes, chunks: this.writtenChunks }, 'snapshot transfer received')
      this.owner.ended(this, 'received', this.heldSlot)
      this.heldSlot = false
      this.owner.report(this.progress())
    })
  }
}
