import { describe, expect, it } from 'vitest'
import { faultsFor, isClean, linkKey, noFaultState } from './fault-plan.js'
import { SerialQueue } from '../supervisor/serial-queue.js'

describe('fault plan', () => {
  it('blocks every node outside a node\'s group, on both sides', () => {
    const st = { partition: [[1], [2, 3]], links: new Map() }
    expect(faultsFor(1, [1, 2, 3], st).blockedPeers).toEqual([2, 3])
    expect(faultsFor(2, [1, 2, 3], st).blockedPeers).toEqual([1])
    expect(faultsFor(3, [1, 2, 3], st).blockedPeers).toEqual([1])
  })

  it('puts a link fault on the sender only, and nothing when clean', () => {
    const st = { partition: null, links: new Map([[linkKey(1, 2), { dropRate: 0.5, delayMs: 10, jitterMs: 0 }]]) }
    expect(faultsFor(1, [1, 2], st).links).toEqual([{ peer: 2, dropRate: 0.5, delayMs: 10, jitterMs: 0 }])
    expect(faultsFor(2, [1, 2], st).links).toBeUndefined()
    expect(isClean(faultsFor(2, [1, 2], st))).toBe(true)
    expect(isClean(faultsFor(1, [1, 2], noFaultState()))).toBe(true)
  })
})

describe('serial queue', () => {
  it('runs calls on one key in order, one at a time, and others at once; a failure does not block the next', async () => {
    const q = new SerialQueue()
    const log: string[] = []
    const step = (name: string, ms: number, fail = false) => async (): Promise<string> => {
      log.push(`${name}+`)
      await new Promise((r) => setTimeout(r, ms))
      log.push(`${name}-`)
      if (fail) throw new Error(name)
      return name
    }
    const a = q.run('n1', step('a', 30, true))
    const b = q.run('n1', step('b', 1))
    const c = q.run('n2', step('c', 1))
    await expect(a).rejects.toThrow('a')
    expect(await b).toBe('b')
    expect(await c).toBe('c')
    expect(log.indexOf('a-')).toBeLessThan(log.indexOf('b+'))
    expect(log.indexOf('c+')).toBeLessThan(log.indexOf('a-'))
  })
})
