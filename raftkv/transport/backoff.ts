// Capped exponential backoff with jitter: base, 2·base, 4·base, ... up to max, each
// delay drawn in [d/2, d) so that peers that lost each other together do not redial
// in lockstep. The random source is injected (a seeded one in tests).
// raftkv/client has its own (backoff.ts there, full jitter, one function): the two packages
// may not import each other and share no lower layer but proto, and they want different
// things — a link redials forever and never sooner than half the ceiling; a client retry
// within a deadline may go at once.

export interface BackoffOptions {
  baseMs: number
  maxMs: number
  rng: () => number
}

export class Backoff {
  private attempt = 0
  constructor(private readonly opts: BackoffOptions) {}

  /** The delay before the next attempt; each call doubles the ceiling up to maxMs. */
  next(): number {
    const ceiling = Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** Math.min(this.attempt, 30))
    this.attempt++
    return Math.round(ceiling / 2 + this.opts.rng() * (ceiling / 2))
  }

  reset(): void {
    this.attempt = 0
  }

  get attempts(): number {
    return this.attempt
  }
}
