// ReadIndex bookkeeping on the leader: each read request waits for a quorum of
// heartbeat acknowledgements carrying its context, then is released in order.
import type { Message } from './types.js'

export interface ReadState {
  /** The commit index at the time of the request: apply up to it, then read. */
  index: number
  requestCtx: Uint8Array
}

interface ReadIndexStatus {
  req: Message
  index: number
  acks: Set<number>
}

export function ctxKey(ctx: Uint8Array): string {
  let s = ''
  for (let i = 0; i < ctx.length; i++) s += String.fromCharCode(ctx[i]!)
  return s
}

export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>()
  private queue: string[] = []

  addRequest(index: number, m: Message, ctx: Uint8Array): void {
    const key = ctxKey(ctx)
    if (this.pending.has(key)) return
    this.pending.set(key, { index, req: m, acks: new Set() })
    this.queue.push(key)
  }

  /** Records an acknowledgement; returns the number of acks for that context (0 if unknown). */
  recvAck(id: number, ctx: Uint8Array): number {
    const rs = this.pending.get(ctxKey(ctx))
    if (!rs) return 0
    rs.acks.add(id)
    return rs.acks.size
  }

  acks(ctx: Uint8Array): Set<number> | undefined {
    return this.pending.get(ctxKey(ctx))?.acks
  }

  /** Releases every request up to and including ctx's, in order. */
  advance(ctx: Uint8Array): { req: Message; index: number }[] {
    const key = ctxKey(ctx)
    const at = this.queue.indexOf(key)
    if (at < 0) return []
    const released = this.queue.splice(0, at + 1)
    const out: { req: Message; index: number }[] = []
    for (const k of released) {
      const rs = this.pending.get(k)
      this.pending.delete(k)
      if (rs) out.push({ req: rs.req, index: rs.index })
    }
    return out
  }

  lastPendingCtx(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1]
    return k === undefined ? undefined : this.pending.get(k)?.req.entries?.[0]?.data ?? undefined
  }
}
