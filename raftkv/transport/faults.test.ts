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

  it('lets a per-peer link entry replace the node-wide rate and delay for that peer only', () => {
    const f = new FaultFilter(cycleRng([0.2, 0.7]))
    f.set({ blockedPeers: [], dropRate: 0, delayMs: 5, jitterMs: 0, links: [{ peer: 3, dropRate: 1, delayMs: 200, jitterMs: 0 }] })
    expect([f.shouldDrop(2), f.shouldDrop(3)]).toEqual([false, true])
    expect([f.delay(2), f.delay(3), f.delay()]).toEqual([5, 200, 5])
    expect(f.get().links).toEqual([{ peer: 3, dropRate: 1, delayMs: 200, jitterMs: 0 }])
    f.set(noFaults())
    expect(f.shouldDrop(3)).toBe(false)
    expect(f.get()).toEqual(noFaults())
  })

  it('validates link entries and leaves `links` out when there are none', () => {
    expect(validateFaults({ ...noFaults(), links: [] })).toEqual(noFaults())
    expect(validateFaults({ ...noFaults(), links: [{ peer: 4, dropRate: 0.5, delayMs: 0, jitterMs: 0 }, { peer: 2, dropRate: 0, delayMs: 1, jitterMs: 0 }] }).links!.map((l) => l.peer)).toEqual([2, 4])
    expect(() => validateFaults({ ...noFaults(), links: [{ peer: 0, dropRate: 0, delayMs: 0, jitterMs: 0 }] })).toThrow(InvalidFaultsError)
    expect(() => validateFaults({ ...noFaults(), links: [{ peer: 2, dropRate: 2, delayMs: 0, jitterMs: 0 }] })).toThrow(InvalidFaultsError)
    expect(() => validateFaults({ ...noFaults(), links: [{ peer: 2, dropRate: 0, delayMs: 0, jitterMs: 0 }, { peer: 2, dropRate: 0, delayMs: 1, jitterMs: 0 }] })).toThrow(InvalidFaultsError)
    expect(() => validateFaults({ ...noFaults(), links: 'x' as never })).toThrow(InvalidFaultsError)
  })
})
