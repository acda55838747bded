import { describe, expect, it } from 'vitest'
import { LatencyHistogram } from './latency-histogram.js'

describe('LatencyHistogram', () => {
  it('gives quantiles within 1% of the exact ones, and the exact max and mean', () => {
    const h = new LatencyHistogram()
    const samples = Array.from({ length: 10_000 }, (_, i) => 0.05 + i * 0.01) // 0.05 .. 100.04 ms
    for (const s of [...samples].reverse()) h.record(s)
    const exact = (q: number): number => samples[Math.ceil(q * samples.length) - 1]!
    for (const q of [0.5, 0.9, 0.99]) {
      expect(Math.abs(h.quantile(q) - exact(q)) / exact(q)).toBeLessThanOrEqual(0.01)
    }
    const summary = h.summary()
    expect(summary.count).toBe(10_000)
    expect(summary.maxMs).toBeCloseTo(100.04, 9)
    expect(summary.meanMs).toBeCloseTo(50.045, 6)
  })

  it('is all zeros when empty', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 })
  })
})
