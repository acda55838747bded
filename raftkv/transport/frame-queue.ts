// A FIFO of outgoing frames for one peer, accounted in bytes. Each frame carries the
// time before which it must not leave (fault delay); times never decrease along the
// queue, so holding the head back keeps the peer's order.

export interface QueuedFrame {
  bytes: Uint8Array
  /** Raft messages in the frame (for the counters). */
  count: number
  /** performance.now() before which the frame is held. */
  readyAt: number
}

export class FrameQueue {
  private items: (QueuedFrame | undefined)[] = []
  private head = 0
  private bytes = 0
  private lastReadyAt = 0

  get length(): number {
    return this.items.length - this.head
  }

  get byteLength(): number {
    return this.bytes
  }

  /** Appends a frame held until at least now + delayMs (and no earlier than the frame before it). */
  push(bytes: Uint8Array, count: number, now: number, delayMs: number): void {
    const readyAt = Math.max(now + delayMs, this.lastReadyAt)
    this.lastReadyAt = readyAt
    this.items.push({ bytes, count, readyAt })
    this.bytes += bytes.length
  }

  peek(): QueuedFrame | undefined {
    return this.items[this.head]
  }

  shift(): QueuedFrame | undefined {
    const f = this.items[this.head]
    if (!f) return undefined
    this.items[this.head] = undefined
    this.head++
    this.bytes -= f.bytes.length
    // Compact once the consumed prefix dominates, so memory follows the live length.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return f
  }

  /** Empties the queue; returns the frames and messages that were in it. */
  clear(): { frames: number; messages: number } {
    let messages = 0
    for (let i = this.head; i < this.items.length; i++) messages += this.items[i]!.count
    const frames = this.length
    this.items = []
    this.head = 0
    this.bytes = 0
    return { frames, messages }
  }
}
