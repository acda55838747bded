// Backpressure on a service connection's replies (/kv, /admin): when the replies to a
// client pile up in the socket's buffer (the client does not read them), stop reading its
// requests until they drain. Without it, a client that writes requests and never reads
// would have the node buffer answers without bound.
import type { Connection } from '../transport/index.js'

/** Stop reading a connection once this much of its replies is buffered... */
export const REPLY_HIGH_WATER_BYTES = 8 * 1024 * 1024
/** ...and read again once it is down to this. */
export const REPLY_LOW_WATER_BYTES = 1024 * 1024

export type ReplyConnection = Pick<Connection, 'send' | 'bufferedAmount' | 'pause' | 'resume' | 'isOpen'>

export class ReplyFlow {
  private paused = false

  constructor(
    private readonly conn: ReplyConnection,
    private readonly highWater = REPLY_HIGH_WATER_BYTES,
    private readonly lowWater = REPLY_LOW_WATER_BYTES,
  ) {}

  get isPaused(): boolean {
    return this.paused
  }

  /** Sends a reply; pauses reading while the buffered replies are over the high-water mark. */
  send(bytes: Uint8Array): void {
    if (!this.conn.isOpen) return
    // The callback runs once this frame is written out: the buffer has shrunk by then.
    this.conn.send(bytes, () => this.written())
    if (!this.paused && this.conn.bufferedAmount > this.highWater) {
      this.paused = true
      this.conn.pause()
    }
  }

  private written(): void {
    if (this.paused && this.conn.bufferedAmount <= this.lowWater) {
      this.paused = false
      if (this.conn.isOpen) this.conn.resume()
    }
  }
}
