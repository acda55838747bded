// Inflights bounds the appends a leader has sent to one follower and not yet had
// acknowledged: a ring of the last index of each in-flight MsgAppend.
export class Inflights {
  private buffer: number[] = []
  private start = 0
  count = 0

  constructor(readonly size: number) {}

  /** Records an append whose last entry is `last` (indexes must increase). */
  add(last: number): void {
    if (this.full()) throw new RangeError('cannot add into a full inflights')
    let next = this.start + this.count
    if (next >= this.size) next -= this.size
    this.buffer[next] = last
    this.count++
  }

  /** Frees every in-flight append whose last index is <= to. */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.buffer[this.start]!) return
    let i = 0
    let idx = this.start
    for (; i < this.count; i++) {
      if (to < this.buffer[idx]!) break
      if (++idx >= this.size) idx -= this.size
    }
    this.count -= i
    this.start = idx
    if (this.count === 0) this.start = 0
  }

  freeFirstOne(): void {
    if (this.count > 0) this.freeLE(this.buffer[this.start]!)
  }

  full(): boolean {
    return this.count >= this.size
  }

  reset(): void {
    this.count = 0
    this.start = 0
  }
}
