// Snapshot transfer between nodes: raft's MsgSnapshot carries only metadata; the state
// travels over its own /snapshot connection in chunks (flow-controlled by the transport),
// lands in the storage's temp area, is verified, and only then is the MsgSnapshot handed
// to raft. Every transfer is reported (progress, state) for /admin and the manager.
import type { Logger } from 'pino'
import type { Message } from '../raft/index.js'
import { decodeSnapshotData, type PeerStorage, type StorageEvent } from '../storage/index.js'
import {
  SnapshotSender, SnapshotReceiver, SnapshotRefusedError, type Connection, type SnapshotOffer, type SnapshotSink,
  type SnapshotProgress,
} from '../transport/index.js'
import type { adminpb } from '../../proto/generated/protos.js'

type Transfer = adminpb.SnapshotTransfer.$Properties & { key: string; endedAt?: number }

export interface SnapshotServiceOptions {
  nodeId: number
  token: string
  log: Logger
  storage: Pick<PeerStorage, 'acquireSnapshot' | 'beginReceiveSnapshot' | 'appliedIndex'>
  addrOf: (id: number) => string | undefined
  /** Hands a fully received and verified MsgSnapshot to raft. */
  step: (m: Message) => void
  /** Tells raft how sending a snapshot to a peer ended. */
  report: (peer: number, failed: boolean) => void
  maxConcurrentSend?: number
  maxConcurrentReceive?: number
  rateLimitMBps?: number
  windowBytes?: number
  /** A transfer must finish within this long (default 10 min). */
  timeoutMs?: number
}

/** Finished transfers stay visible this long. */
const KEEP_DONE_MS = 60_000
const MAX_ENDED_SHOWN = 16

export class SnapshotService {
  readonly counters = { sent: 0, received: 0, applied: 0, failed: 0 }
  private readonly sender: SnapshotSender
  private readonly receiver: SnapshotReceiver
  private readonly transfers = new Map<string, Transfer>()
  private readonly sending = new Set<number>()
  /** Incoming transfer id -> its entry in `transfers`. */
  private readonly incoming = new Map<string, string>()
  /** The received snapshot being applied (storage events name no transfer). */
  private applyingKey: string | undefined
  private readonly log: Logger

  constructor(private readonly opts: SnapshotServiceOptions) {
    this.log = opts.log
    this.sender = new SnapshotSender({
      nodeId: opts.nodeId, token: opts.token, logger: opts.log, maxConcurrent: opts.maxConcurrentSend ?? 1,
      rateLimitMBps: opts.rateLimitMBps ?? 0, windowBytes: opts.windowBytes,
      // Storage chunks hold ~1 MiB of pairs plus their encoding; the receiver's frame limit is 4 MiB.
      maxChunkBytes: 2 * 1024 * 1024,
    })
    this.receiver = new SnapshotReceiver({
      logger: opts.log, maxConcurrent: opts.maxConcurrentReceive ?? 1,
      handler: (offer) => this.accept(offer),
      onProgress: (p) => this.note(p),
    })
  }

  /** The /snapshot connection handler. */
  attach(conn: Connection): void {
    this.receiver.handle(conn)
  }

  /** Sends the state behind a MsgSnapshot raft wants to send. */
  send(m: Message): void {
    const to = m.to ?? 0
    const index = m.snapshot?.metadata?.index ?? 0
    const term = m.snapshot?.metadata?.term ?? 0
    const fail = (reason: string): void => {
      this.counters.failed++
      this.log.warn({ event: 'snapshot-send-failed', peer: to, index, term, reason }, 'snapshot send failed')
      this.upsert({ key: `send-${to}-${index}-${Date.now()}`, peer: to, direction: 'send', index, term, state: 'failed', reason, startedAtMs: Date.now(), endedAt: Date.now() })
      this.opts.report(to, true)
    }
    if (this.sending.has(to)) return // already on its way; raft hears back when it ends
    let descriptor
    try {
      descriptor = decodeSnapshotData(m.snapshot?.data)
    } catch {
      return fail('snapshot data does not decode')
    }
    const reader = this.opts.storage.acquireSnapshot(descriptor.snapshotId)
    if (!reader) return fail(`snapshot ${descriptor.snapshotId} is no longer available`)
    const addr = this.opts.addrOf(to)
    if (!addr) {
      void reader.release()
      return fail(`no address known for node ${to}`)
    }
    this.sending.add(to)
    const key = `send-${to}-${index}-${Date.now()}`
    this.upsert({ key, peer: to, direction: 'send', index, term, state: 'sending', chunksTotal: descriptor.chunkCount, bytesTotal: descriptor.dataSize, startedAtMs: Date.now() })
    this.log.info({ event: 'snapshot-send-started', peer: to, index, term, snapshotId: descriptor.snapshotId, chunks: descriptor.chunkCount, dataSize: descriptor.dataSize }, 'snapshot send started')
    void (async () => {
      try {
        const result = await this.sender.send({
          peerId: to, addr, message: m, chunks: reader.chunks(), totalBytes: descriptor.dataSize, totalChunks: descriptor.chunkCount,
          timeoutMs: this.opts.timeoutMs ?? 600_000, onProgress: (p) => this.note(p, key),
        })
        this.counters.sent++
        this.upsert({ key, state: 'done', bytesDone: result.bytes, bytesTotal: result.bytes, chunksDone: result.chunks, rateBytesPerSec: result.rateBytesPerSec, endedAt: Date.now() })
        this.log.info({ event: 'snapshot-sent', peer: to, index, term, bytes: result.bytes, ms: result.elapsedMs, rateBytesPerSec: Math.round(result.rateBytesPerSec) }, 'snapshot sent')
        this.opts.report(to, false)
      } catch (err) {
        this.counters.failed++
        const reason = err instanceof Error ? err.message : String(err)
        this.upsert({ key, state: 'failed', reason, endedAt: Date.now() })
        this.log.warn({ event: 'snapshot-send-failed', peer: to, index, term, reason }, 'snapshot send failed')
        this.opts.report(to, true)
      } finally {
        this.sending.delete(to)
        await reader.release()
      }
    })()
  }

  /** Decides on an incoming snapshot: where its chunks go, and what happens when complete. */
  private async accept(offer: SnapshotOffer): Promise<SnapshotSink> {
    const m = offer.message
    const index = m.snapshot?.metadata?.index ?? 0
    const term = m.snapshot?.metadata?.term ?? 0
    const key = `recv-${offer.peerId}-${index}-${Date.now()}`
    const refuse = (reason: string): never => {
      this.log.warn({ event: 'snapshot-refused', peer: offer.peerId, index, term, reason }, 'snapshot refused')
      this.upsert({ key, peer: offer.peerId, direction: 'receive', index, term, state: 'failed', reason, startedAtMs: Date.now(), endedAt: Date.now() })
      throw new SnapshotRefusedError('refused', reason)
    }
    if ((m.to ?? 0) !== this.opts.nodeId) refuse(`snapshot is for node ${m.to ?? 0}, not ${this.opts.nodeId}`)
    if (!m.snapshot?.metadata || index === 0) refuse('snapshot has no metadata')
    if (index <= this.opts.storage.appliedIndex) refuse(`stale snapshot: index ${index} <= applied ${this.opts.storage.appliedIndex}`)
    let receiving
    try {
      receiving = this.opts.storage.beginReceiveSnapshot(m.snapshot!)
    } catch (err) {
      return refuse(err instanceof Error ? err.message : String(err))
    }
    this.upsert({ key, peer: offer.peerId, direction: 'receive', index, term, state: 'receiving', bytesTotal: offer.totalBytes, chunksTotal: offer.totalChunks, startedAtMs: Date.now() })
    this.log.info({ event: 'snapshot-receive-started', peer: offer.peerId, index, term, bytes: offer.totalBytes, chunks: offer.totalChunks }, 'snapshot receive started')
    this.incoming.set(offer.transferId, key)
    let seq = 0
    return {
      write: (chunk) => receiving.writeChunk(seq++, chunk),
      finish: async () => {
        this.incoming.delete(offer.transferId)
        await receiving.finish() // verifies count and checksum; throws on a bad snapshot
        this.counters.received++
        this.upsert({ key, state: 'applying' })
        this.applyingKey = key
        this.log.info({ event: 'snapshot-received', peer: offer.peerId, index, term }, 'snapshot received and verified; handing it to raft')
        this.opts.step(m)
      },
      abort: async (err) => {
        this.incoming.delete(offer.transferId)
        this.counters.failed++
        this.upsert({ key, state: 'failed', reason: err.message, endedAt: Date.now() })
        this.log.warn({ event: 'snapshot-receive-failed', peer: offer.peerId, index, term, reason: err.message }, 'snapshot receive failed; discarded')
        await receiving.abort()
      },
    }
  }

  /** Storage events: generation and apply progress. */
  onStorageEvent(e: StorageEvent): void {
    switch (e.type) {
      case 'snapshot-generating':
        this.upsert({ key: `gen-${e.index}-${e.term}`, peer: 0, direction: 'send', index: e.index, term: e.term, state: 'generating', startedAtMs: Date.now() })
        this.log.info({ event: 'snapshot-generating', index: e.index, term: e.term }, 'snapshot generating')
        return
      case 'snapshot-generated':
        this.upsert({ key: `gen-${e.index}-${e.term}`, state: 'done', bytesDone: e.dataSize, bytesTotal: e.dataSize, chunksDone: e.chunkCount, chunksTotal: e.chunkCount, endedAt: Date.now() })
        this.log.info({ event: 'snapshot-generated', index: e.index, term: e.term, dataSize: e.dataSize, kvCount: e.kvCount, chunks: e.chunkCount, files: e.fileCount, pauseMs: e.pauseMs, checkMs: e.checkMs, listMs: e.listMs, ms: e.ms }, 'snapshot generated')
        return
      case 'snapshot-generate-failed':
        this.upsert({ key: `gen-${e.index}-${e.term}`, state: 'failed', reason: e.error.message, endedAt: Date.now() })
        this.log.warn({ event: 'snapshot-generate-failed', index: e.index, term: e.term, err: e.error }, 'snapshot generation failed')
        return
      case 'snapshot-apply-step':
        if (this.applyingKey) this.upsert({ key: this.applyingKey, state: 'applying' })
        this.log.debug({ event: 'snapshot-apply-step', index: e.index, term: e.term, step: e.step }, 'snapshot apply step')
        return
      case 'snapshot-swap-recovered':
        this.log.warn({ event: 'snapshot-swap-recovered', outcome: e.outcome }, e.outcome === 'undone'
          ? 'a snapshot apply was interrupted before its database was in place: the previous database was put back'
          : 'a snapshot apply was interrupted after its database was in place: the previous one was removed')
        return
      case 'snapshot-applied':
        this.counters.applied++
        if (this.applyingKey) this.upsert({ key: this.applyingKey, state: 'done', endedAt: Date.now() })
        this.applyingKey = undefined
        this.log.info({ event: 'snapshot-applied', index: e.index, term: e.term, kvCount: e.kvCount, ms: e.ms }, 'snapshot applied')
        return
      default:
        return
    }
  }

  private note(p: SnapshotProgress, key?: string): void {
    const k = key ?? this.incoming.get(p.transferId)
    if (!k) return
    const t = this.transfers.get(k)
    if (!t || t.state === 'done' || t.state === 'failed' || t.state === 'applying') return
    this.upsert({ key: k, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal || t.bytesTotal, chunksDone: p.chunksDone, chunksTotal: p.chunksTotal || t.chunksTotal, rateBytesPerSec: p.rateBytesPerSec })
  }

  private upsert(t: Partial<Transfer> & { key: string }): void {
    const cur = this.transfers.get(t.key)
    this.transfers.set(t.key, { ...(cur ?? {}), ...t } as Transfer)
  }

  stats(): adminpb.SnapshotStats.$Properties {
    const now = Date.now()
    for (const [k, t] of this.transfers) if (t.endedAt && now - t.endedAt > KEEP_DONE_MS) this.transfers.delete(k)
    // Repeated failures must not grow the list without bound: keep the newest ended ones.
    const ended = [...this.transfers].filter(([, t]) => t.endedAt).sort((a, b) => b[1].endedAt! - a[1].endedAt!)
    for (const [k] of ended.slice(MAX_ENDED_SHOWN)) this.transfers.delete(k)
    return {
      ...this.counters,
      transfers: [...this.transfers.values()].map(({ key: _key, endedAt: _e, ...t }) => t),
    }
  }

  async close(): Promise<void> {
    this.receiver.close()
    await this.sender.close()
  }
}
