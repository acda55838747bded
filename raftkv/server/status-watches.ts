// The node's status streams (/admin watchStatus), bounded so that watchers cannot crowd
// out the node's own work: the interval is clamped, streams are capped per connection
// and per node, one encoded status is shared by every frame sent within a few ms, and a
// socket that does not drain skips frames instead of queueing them.
import protobuf from 'protobufjs/minimal.js'
import { adminpb } from '../../proto/generated/protos.js'
import type { Connection } from '../transport/index.js'
import {
  MAX_WATCHES_PER_CONNECTION, MAX_WATCHES_PER_NODE, MAX_WATCH_INTERVAL_MS, MIN_WATCH_INTERVAL_MS, WATCH_MAX_BUFFERED_BYTES,
} from './limits.js'

export type WatchRefusal = { code: adminpb.AdminErrorCode; message: string }

/** A status built at most this often, whatever the number of streams. */
const STATUS_REUSE_MS = MIN_WATCH_INTERVAL_MS / 2

/** The interval a stream really gets: 0 (unset) means 500 ms; then clamped. */
export function clampWatchInterval(requested: number): number {
  const ms = requested > 0 ? requested : 500
  return Math.min(MAX_WATCH_INTERVAL_MS, Math.max(MIN_WATCH_INTERVAL_MS, ms))
}

export class StatusWatches {
  private total = 0
  private cached: { at: number; bytes: Uint8Array } | undefined
  private readonly perConnection = new WeakMap<Connection, number>()

  constructor(private readonly status: () => adminpb.NodeStatus.$Properties) {}

  /** Starts a stream of status frames answering request `id` on conn, or says why not. */
  start(conn: Connection, id: number, requestedMs: number): WatchRefusal | undefined {
    const mine = this.perConnection.get(conn) ?? 0
    if (mine >= MAX_WATCHES_PER_CONNECTION) {
      return { code: adminpb.AdminErrorCode.SERVER_BUSY, message: `at most ${MAX_WATCHES_PER_CONNECTION} status streams per connection` }
    }
    if (this.total >= MAX_WATCHES_PER_NODE) {
      return { code: adminpb.AdminErrorCode.SERVER_BUSY, message: `this node runs its maximum of ${MAX_WATCHES_PER_NODE} status streams` }
    }
    this.perConnection.set(conn, mine + 1)
    this.total++
    const send = (): void => {
      if (conn.isOpen && conn.bufferedAmount < WATCH_MAX_BUFFERED_BYTES) conn.send(this.frame(id))
    }
    send()
    const timer = setInterval(send, clampWatchInterval(requestedMs))
    conn.onClose(() => {
      clearInterval(timer)
      this.total--
    })
    return undefined
  }

  get count(): number {
    return this.total
  }

  /** An AdminResponse{id, status} built from the shared encoded status. */
  private frame(id: number): Uint8Array {
    const now = performance.now()
    if (!this.cached || now - this.cached.at >= STATUS_REUSE_MS) {
      this.cached = { at: now, bytes: adminpb.NodeStatus.encode(this.status()).finish() }
    }
    // Field 1 (id, varint) and field 4 (status, length-delimited), as AdminResponse.encode writes them.
    return protobuf.Writer.create().uint32(8).uint64(id).uint32(34).bytes(this.cached.bytes).finish()
  }
}
