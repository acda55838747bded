import { describe, expect, it } from 'vitest'
import { Backoff } from './backoff.js'
import { cycleRng } from './testing/helpers.js'

describe('Backoff', () => {
  it('doubles from the base up to the cap, each delay jittered within [d/2, d]', () => {
    const top = new Backoff({ baseMs: 50, maxMs: 2000, rng: () => 1 })
    expect(Array.from({ length: 8 }, () => top.next())).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000])
    const bottom = new Backoff({ baseMs: 50, maxMs: 2000, rng: () => 0 })
    expect(Array.from({ length: 7 }, () => bottom.next())).toEqual([25, 50, 100, 200, 400, 800, 1000])
  })

  it('starts over after reset()', () => {
    const b = new Backoff({ baseMs: 10, maxMs: 100, rng: cycleRng([0.5]) })
    b.next()
    b.next()
    expect(b.attempts).toBe(2)
    b.reset()
    expect(b.next()).toBe(8) // 5 + 0.5 * 5, rounded
  })
})
