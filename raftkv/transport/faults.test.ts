import { describe, expect, it } from 'vitest'
import { InvalidFaultsError } from './errors.js'
import { FaultFilter, noFaults, validateFaults } from './faults.js'
import { cycleRng } from './testing/helpers.js'

describe('FaultFilter', () => {
  it('answers block, drop and delay questions from the faults in force', () => {
    const f = new FaultFilter(cycleRng([0.2, 0.7]))
    expect(f.isBlocked(2)).toBe(false)
    expect(f.shouldDrop()).toBe(false)
    expect(f.delay()).toBe(0)
    f.set({ blockedPeers: [2], dropRate: 0.5, delayMs: 100, jitterMs: 10 })
    expect(f.isBlocked(2)).toBe(true)
    expect(f.isBlocked(3)).toBe(false)
    expect([f.shouldDrop(), f.shouldDrop()]).toEqual([true, false])
    expect([f.delay(), f.delay()]).toEqual([102, 107])
    f.set(noFaults())
    expect(f.isBlocked(2)).toBe(false)
  })

  it('validates and normalizes', () => {
    expect(validateFaults({ blockedPeers: [5, 1, 5], dropRate: 1, delayMs: 0, jitterMs: 60_000 }).blockedPeers).toEqual([1, 5])
    expect(() => validateFaults(null as never)).toThrow(InvalidFaultsError)
    expect(() => validateFaults({ blockedPeers: 'x' as never, dropRate: 0, delayMs: 0, jitterMs: 0 })).toThrow(InvalidFaultsError)
    expect(() => validateFaults({ blockedPeers: [], dropRate: Infinity, delayMs: 0, jitterMs: 0 })).toThrow(InvalidFaultsError)
  })
})
