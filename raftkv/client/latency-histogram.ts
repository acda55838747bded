// A bounded-memory latency histogram: logarithmic buckets 1% wide, so any
// quantile is within 1% of the true value whatever the number of samples.
// (A stand-in for hdr-histogram-js until the project takes a dependency.)

const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)
/** Samples are kept in microseconds; below 1 µs counts as 1 µs. */
const UNIT_PER_MS = 1000

export interface LatencySummary {
  count: number
  meanMs: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
}

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>()
  private total = 0
  private sumMs = 0
  private maxMs = 0

  record(ms: number): void {
    const units = Math.max(1, ms * UNIT_PER_MS)
    const bucket = Math.floor(Math.log(units) / LOG_GROWTH)
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1)
    this.total++
    this.sumMs += ms
    if (ms > this.maxMs) this.maxMs = ms
  }

  get count(): number {
    return this.total
  }

  /** The q-quantile (0 < q <= 1) in ms: the upper edge of its bucket, never above the max seen. */
  quantile(q: number): number {
    if (this.total === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.total))
    let seen = 0
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket)!
      if (seen >= rank) return Math.min(this.maxMs, GROWTH ** (bucket + 1) / UNIT_PER_MS)
    }
    return this.maxMs
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      meanMs: this.total === 0 ? 0 : this.sumMs / this.total,
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p99Ms: this.quantile(0.99),
      maxMs: this.maxMs,
    }
  }
}
