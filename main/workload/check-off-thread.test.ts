import { describe, expect, it } from 'vitest'
import { randomHistory } from '../../test/support/random-history.js'
import { checkEvents, checkNdjson } from './check-history.js'
import { checkOffThread, checkWorkerEntry } from './check-off-thread.js'

const toNdjson = (events: readonly object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n'

describe('checkOffThread', () => {
  it('finds the entry beside the module: .js when built, .ts (through tsx) as source', () => {
    expect(checkWorkerEntry('file:///app/out/main/index.js')).toEqual({ url: new URL('file:///app/out/main/check-worker.js'), fromSource: false })
    expect(checkWorkerEntry('file:///repo/main/workload/check-off-thread.ts')).toEqual({ url: new URL('file:///repo/main/workload/check-worker.ts'), fromSource: true })
  })

  it('gives the verdict the same check gives on this thread, for a linearizable history and a broken one', async () => {
    const events = randomHistory({ seed: 7, processes: 4, keys: 3, operations: 400 })
    const good = await checkOffThread({ kind: 'events', events, timeBudgetMs: 10_000 })
    expect(good.outcome).toBe('linearizable')
    expect({ ...good, checkMs: 0 }).toEqual({ ...checkEvents(events, 10_000), checkMs: 0 })
    // A read of a value nobody wrote: not linearizable, from NDJSON as checkHistory takes it.
    const okRead = events.findIndex((e) => e.type === 'ok' && e.f === 'get')
    const broken = events.map((e, i) => (i === okRead ? { ...e, value: 'never-written' } : e))
    const bad = await checkOffThread({ kind: 'ndjson', ndjson: toNdjson(broken), timeBudgetMs: 10_000 })
    expect(bad.outcome).toBe('not-linearizable')
    expect({ ...bad, checkMs: 0 }).toEqual({ ...checkNdjson(toNdjson(broken), 10_000), checkMs: 0 })
  })

  it('rejects a malformed history with the BAD_ARGUMENT the check throws', async () => {
    await expect(checkOffThread({ kind: 'ndjson', ndjson: '{"type":"ok"', timeBudgetMs: 1000 }))
      .rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('line 1') })
  })

  it('leaves this thread free while it checks', async () => {
    // Large enough that the check alone takes a good while on this thread.
    const events = randomHistory({ seed: 11, processes: 8, keys: 4, operations: 40_000 })
    const t0 = performance.now()
    checkEvents(events, 60_000)
    const inThreadMs = performance.now() - t0
    expect(inThreadMs).toBeGreaterThan(100)
    let last = performance.now()
    let longestGapMs = 0
    const timer = setInterval(() => {
      const now = performance.now()
      longestGapMs = Math.max(longestGapMs, now - last)
      last = now
    }, 5)
    try {
      const verdict = await checkOffThread({ kind: 'events', events, timeBudgetMs: 60_000 })
      expect(verdict.outcome).toBe('linearizable')
    } finally {
      clearInterval(timer)
    }
    // The thread's own start and the copy of the events are all this thread waits for.
    expect(longestGapMs).toBeLessThan(inThreadMs / 2)
  })

  it('ends the check when it is cancelled', async () => {
    const events = randomHistory({ seed: 12, processes: 8, keys: 4, operations: 20_000 })
    const abort = new AbortController()
    const check = checkOffThread({ kind: 'events', events, timeBudgetMs: 60_000 }, { signal: abort.signal })
    abort.abort()
    await expect(check).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(checkOffThread({ kind: 'events', events, timeBudgetMs: 1000 }, { signal: abort.signal })).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
