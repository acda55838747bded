// Per-interval figures of a running workload, taken from the history as it is
// recorded: ops and errors completed, and the latency of the successful ones.
import { LatencyHistogram, type HistoryEvent, type HistorySink } from '../../raftkv/client/index.js'
import type { LatencyFigures } from '../control/types.js'

export interface IntervalFigures {
  /** Totals since the run began. */
  ops: number
  errors: number
  /** Over the interval since the previous take(). */
  opsPerSec: number
  errorsPerSec: number
  latency: LatencyFigures
}

export class ProgressMeter implements HistorySink {
  private readonly invokedAt = new Map<number, number>()
  private ops = 0
  private errors = 0
  private intervalOps = 0
  private intervalErrors = 0
  private interval = new LatencyHistogram()
  private lastTake = performance.now()

  constructor(private readonly inner: HistorySink) {}

  record(event: HistoryEvent): void {
    this.inner.record(event)
    if (event.type === 'invoke') {
      this.invokedAt.set(event.process, event.time)
      return
    }
    const from = this.invokedAt.get(event.process)
    this.invokedAt.delete(event.process)
    this.ops++
    this.intervalOps++
    if (event.type === 'ok') {
      if (from !== undefined) this.interval.record((event.time - from) / 1e6)
    } else {
      this.errors++
      this.intervalErrors++
    }
  }

  get totals(): { ops: number; errors: number } {
    return { ops: this.ops, errors: this.errors }
  }

  /** The figures of the interval that ends now; the next interval starts empty. */
  take(): IntervalFigures {
    const now = performance.now()
    const seconds = Math.max(1e-3, (now - this.lastTake) / 1000)
    const s = this.interval.summary()
    const figures: IntervalFigures = {
      ops: this.ops,
      errors: this.errors,
      opsPerSec: Math.round(this.intervalOps / seconds),
      errorsPerSec: Math.round(this.intervalErrors / seconds),
      latency: { p50Ms: round2(s.p50Ms), p90Ms: round2(s.p90Ms), p99Ms: round2(s.p99Ms), maxMs: round2(s.maxMs) },
    }
    this.intervalOps = 0
    this.intervalErrors = 0
    this.interval = new LatencyHistogram()
    this.lastTake = now
    return figures
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}
