// A small seeded PRNG (mulberry32) so that every simulated run is reproducible from its seed.
import { mulberry32 } from '../prng.js'

/** A deterministic source of pseudo-random numbers; the same seed gives the same sequence. */
export class Prng {
  private readonly source: () => number

  constructor(readonly seed: number) {
    this.source = mulberry32(seed)
  }

  /** A float in [0, 1), like Math.random. */
  next(): number {
    return this.source()
  }

  /** An integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo))
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array')
    return items[this.int(0, items.length)]!
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1)
      const tmp = out[i]!
      out[i] = out[j]!
      out[j] = tmp
    }
    return out
  }

  /** A function usable as Config.rand: [0, 1) from this generator. */
  asRand(): () => number {
    return () => this.next()
  }
}
