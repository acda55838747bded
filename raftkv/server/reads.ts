// Linearizable reads by ReadIndex: reads that arrive together share one read request;
// raft answers with the commit index of the moment (after a quorum of heartbeats);
// the reads run once the state machine has applied up to it. No log write.
export type ReadOutcome = { ok: true } | { ok: false; reason: 'not-leader' | 'timeout' | 'stopped' }

export interface PendingRead {
  deadline: number
  /** Runs the read against the state machine (applied >= read index) or fails it. */
  done: (o: ReadOutcome) => void
}

interface InFlight {
  reads: PendingRead[]
  index: number // 0 until raft answered
}

export class ReadQueue {
  private queued: PendingRead[] = []
  private inflight = new Map<string, InFlight>()
  /** Answered by raft, waiting for apply, in index order. */
  private waiting: InFlight[] = []
  private seq = 0

  get pending(): number {
    return this.queued.length + this.inflight.size + this.waiting.length
  }

  enqueue(r: PendingRead): void {
    this.queued.push(r)
  }

  /** Takes the queued reads as one batch; returns the ReadIndex context to request, or undefined. */
  takeBatch(): Uint8Array | undefined {
    if (this.queued.length === 0) return undefined
    const ctx = new Uint8Array(8)
    new DataView(ctx.buffer).setFloat64(0, ++this.seq)
    this.inflight.set(key(ctx), { reads: this.queued, index: 0 })
    this.queued = []
    return ctx
  }

  /** Raft answered a read request. */
  answered(ctx: Uint8Array, index: number): void {
    const f = this.inflight.get(key(ctx))
    if (!f) return
    this.inflight.delete(key(ctx))
    f.index = index
    this.waiting.push(f)
    this.waiting.sort((a, b) => a.index - b.index)
  }

  /** Serves every answered batch whose read index is applied. */
  serve(applied: number): void {
    while (this.waiting.length > 0 && this.waiting[0]!.index <= applied) {
      const f = this.waiting.shift()!
      for (const r of f.reads) r.done({ ok: true })
    }
  }

  /** Leadership was lost: reads not yet answered by raft can no longer be (answered ones still serve). */
  failUnanswered(reason: 'not-leader' | 'stopped'): void {
    const fail = [...this.queued, ...[...this.inflight.values()].flatMap((f) => f.reads)]
    this.queued = []
    this.inflight.clear()
    for (const r of fail) r.done({ ok: false, reason })
  }

  failAll(reason: 'stopped'): void {
    this.failUnanswered(reason)
    const rest = this.waiting.flatMap((f) => f.reads)
    this.waiting = []
    for (const r of rest) r.done({ ok: false, reason })
  }

  expire(now: number): void {
    const keep = (r: PendingRead): boolean => {
      if (r.deadline > now) return true
      r.done({ ok: false, reason: 'timeout' })
      return false
    }
    this.queued = this.queued.filter(keep)
    for (const [k, f] of this.inflight) {
      f.reads = f.reads.filter(keep)
      if (f.reads.length === 0) this.inflight.delete(k)
    }
    for (const f of this.waiting) f.reads = f.reads.filter(keep)
    this.waiting = this.waiting.filter((f) => f.reads.length > 0)
  }
}

function key(ctx: Uint8Array): string {
  return Buffer.from(ctx).toString('hex')
}
