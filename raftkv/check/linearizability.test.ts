import { describe, expect, it } from 'vitest'
import type { HistoryEvent, HistoryFunction } from './history-event.js'
import { checkLinearizability, historyOperations, HistoryError } from './linearizability.js'
import { randomHistory } from '../../test/support/random-history.js'

// Hand-made histories: op(process, f, key, value, from, to, outcome) gives an invoke at `from`
// and its completion at `to` (times in ns). For a get, `value` is what was read.
type Outcome = 'ok' | 'fail' | 'info'
interface Op { p: number; f: HistoryFunction; key?: string; value?: string | null; from: number; to: number; outcome?: Outcome }

function history(...ops: Op[]): HistoryEvent[] {
  const events: (HistoryEvent & { order: number })[] = []
  for (const op of ops) {
    const key = op.key ?? 'x'
    const value = op.value ?? null
    events.push({ type: 'invoke', process: op.p, f: op.f, key, value: op.f === 'get' ? null : value, time: op.from, order: 0 })
    const type = op.outcome ?? 'ok'
    events.push({ type, process: op.p, f: op.f, key, value: op.f === 'get' && type !== 'ok' ? null : value, time: op.to, order: 1 })
  }
  return events.sort((a, b) => a.time - b.time || a.order - b.order).map(({ order: _order, ...e }) => e)
}

describe('checkLinearizability: histories that are linearizable', () => {
  it('accepts sequential writes and reads, including reads of an absent key', () => {
    const h = history(
      { p: 0, f: 'get', value: null, from: 0, to: 1 },
      { p: 0, f: 'put', value: 'a', from: 2, to: 3 },
      { p: 1, f: 'get', value: 'a', from: 4, to: 5 },
      { p: 1, f: 'delete', from: 6, to: 7 },
      { p: 0, f: 'get', value: null, from: 8, to: 9 },
    )
    const result = checkLinearizability(h)
    expect(result.verdict).toBe('ok')
    expect(result.operations).toBe(5)
    expect(result.explanation).toMatch(/^linearizable/)
  })

  it('lets a read concurrent with a write see either value', () => {
    for (const seen of ['a', 'b']) {
      const h = history(
        { p: 0, f: 'put', value: 'a', from: 0, to: 1 },
        { p: 1, f: 'put', value: 'b', from: 2, to: 10 },
        { p: 2, f: 'get', value: seen, from: 3, to: 9 },
      )
      expect(checkLinearizability(h).verdict).toBe('ok')
    }
  })

  it('orders concurrent writes by what later reads saw', () => {
    const h = history(
      { p: 0, f: 'put', value: 'a', from: 0, to: 10 },
      { p: 1, f: 'put', value: 'b', from: 0, to: 10 },
      { p: 2, f: 'get', value: 'a', from: 11, to: 12 },
      { p: 2, f: 'get', value: 'a', from: 13, to: 14 },
    )
    expect(checkLinearizability(h).verdict).toBe('ok')
  })

  it('lets an info write take effect long after its completion, or never', () => {
    const h = history(
      { p: 0, f: 'put', value: 'a', from: 0, to: 1 },
      { p: 1, f: 'put', value: 'late', from: 2, to: 3, outcome: 'info' },
      { p: 2, f: 'get', value: 'a', from: 4, to: 5 },
      { p: 2, f: 'get', value: 'late', from: 100, to: 101 },
      { p: 3, f: 'put', value: 'never', from: 6, to: 7, outcome: 'info' },
      { p: 3 + 4, f: 'delete', from: 8, to: 9, outcome: 'info' },
    )
    expect(checkLinearizability(h).verdict).toBe('ok')
  })

  it('ignores failed writes and treats an invoke never completed as info', () => {
    const h: HistoryEvent[] = [
      ...history(
        { p: 0, f: 'put', value: 'a', from: 0, to: 1 },
        { p: 1, f: 'put', value: 'refused', from: 2, to: 3, outcome: 'fail' },
        { p: 2, f: 'get', value: 'a', from: 4, to: 5 },
      ),
      { type: 'invoke', process: 3, f: 'put', key: 'x', value: 'crashed', time: 6 },
      ...history({ p: 2, f: 'get', value: 'crashed', from: 7, to: 8 }),
    ]
    expect(checkLinearizability(h).verdict).toBe('ok')
  })

  it('copes with a value written twice (which the load generator never does)', () => {
    const h = history(
      { p: 0, f: 'put', value: 'a', from: 0, to: 1 },
      { p: 0, f: 'put', value: 'b', from: 2, to: 3 },
      { p: 1, f: 'get', value: 'b', from: 4, to: 5 },
      { p: 0, f: 'put', value: 'a', from: 6, to: 7 },
      { p: 1, f: 'get', value: 'a', from: 8, to: 9 },
    )
    expect(checkLinearizability(h).verdict).toBe('ok')
  })

  it('accepts large generated histories over many keys, quickly', () => {
    for (const seed of [1, 2, 3]) {
      const h = randomHistory({ seed, processes: 12, keys: 8, operations: 6000 })
      const result = checkLinearizability(h)
      expect(result.explanation).toMatch(/^linearizable/)
      expect(result.keys).toBe(8)
    }
    // Heavy contention: 64 processes on one key, with in-doubt writes.
    const hot = checkLinearizability(randomHistory({ seed: 4, processes: 64, keys: 1, operations: 20000, infoRate: 0.05 }))
    expect(hot.explanation).toMatch(/^linearizable/)
  })
})

describe('checkLinearizability: histories that are not', () => {
  it('catches a stale read, naming the key and the read', () => {
    const h = history(
      { p: 0, f: 'put', key: 'k7', value: 'old', from: 0, to: 1 },
      { p: 0, f: 'put', key: 'k7', value: 'new', from: 2, to: 3 },
      { p: 1, f: 'get', key: 'k7', value: 'old', from: 4, to: 5 },
    )
    const result = checkLinearizability(h)
    expect(result.verdict).toBe('illegal')
    expect(result.violations).toHaveLength(1)
    const [v] = result.violations
    expect(v!.key).toBe('k7')
    expect(v!.op).toMatchObject({ f: 'get', process: 1, value: 'old' })
    expect(v!.reason).toContain('key "k7": get → "old" by process 1')
    expect(v!.reason).toContain('but put "new" by process 0')
    expect(v!.lastLinearized.map((o) => o.value)).toEqual(['old'])
    expect(result.explanation).toContain(v!.reason)
  })

  it('catches a lost acknowledged write', () => {
    const h = history(
      { p: 0, f: 'put', value: 'a', from: 0, to: 1 },
      { p: 1, f: 'get', value: null, from: 2, to: 3 },
    )
    const result = checkLinearizability(h)
    expect(result.verdict).toBe('illegal')
    expect(result.violations[0]!.op).toMatchObject({ f: 'get', value: null })
    expect(result.violations[0]!.reason).toMatch(/the key holds "a" \(written by put "a" by process 0/)
  })

  it('catches a value that was never written, and one from a failed write', () => {
    for (const bogus of ['garbage', 'refused']) {
      const h = history(
        { p: 0, f: 'put', value: 'a', from: 0, to: 1 },
        { p: 2, f: 'put', value: 'refused', from: 0, to: 1, outcome: 'fail' },
        { p: 1, f: 'get', value: bogus, from: 2, to: 3 },
      )
      const result = checkLinearizability(h)
      expect(result.verdict).toBe('illegal')
      expect(result.violations[0]!.reason).toContain('no put of this key wrote')
      expect(result.violations[0]!.op.value).toBe(bogus)
    }
  })

  it('spells out at most ten violations, and counts the rest', () => {
    const h = history(...Array.from({ length: 12 }, (_, i) => ({ p: i, f: 'get' as const, key: `key${i}`, value: `${'x'.repeat(100)}${i}`, from: 0, to: 1 })))
    const result = checkLinearizability(h)
    expect(result.violations).toHaveLength(12)
    const lines = result.explanation.split('\n')
    expect(lines).toHaveLength(12)
    expect(lines[11]).toBe('- ... and 2 more key(s)')
    expect(lines[1]).toContain(`get → "${'x'.repeat(40)}…"`)
  })

  it('catches a read of a value written only after the read returned', () => {
    const h = history(
      { p: 1, f: 'get', value: 'future', from: 0, to: 1 },
      { p: 0, f: 'put', value: 'future', from: 2, to: 3 },
    )
    const result = checkLinearizability(h)
    expect(result.verdict).toBe('illegal')
    expect(result.violations[0]!.reason).toContain('invoked only after the read had returned')
  })

  it('catches reads that go back and forth between two concurrent writes', () => {
    const h = history(
      { p: 0, f: 'put', value: 'a', from: 0, to: 100 },
      { p: 1, f: 'put', value: 'b', from: 0, to: 100 },
      { p: 2, f: 'get', value: 'a', from: 101, to: 102 },
      { p: 2, f: 'get', value: 'b', from: 103, to: 104 },
      { p: 2, f: 'get', value: 'a', from: 105, to: 106 },
    )
    expect(checkLinearizability(h).verdict).toBe('illegal')
  })

  it('reports only the corrupted keys of a large history', () => {
    const h = randomHistory({ seed: 7, processes: 10, keys: 6, operations: 4000 })
    // Corrupt one completed read of k3 that saw a value: make it read a value its key had before.
    const writes = h.filter((e) => e.key === 'k3' && e.f === 'put' && e.type === 'ok')
    const late = h.findLastIndex((e) => e.key === 'k3' && e.f === 'get' && e.type === 'ok' && e.value !== null && e.value !== writes[0]!.value)
    const corrupted = h.map((e, i) => (i === late ? { ...e, value: writes[0]!.value } : e))
    expect(checkLinearizability(h).verdict).toBe('ok')
    const result = checkLinearizability(corrupted)
    expect(result.verdict).toBe('illegal')
    expect(result.violations.map((v) => v.key)).toEqual(['k3'])
  })
})

describe('checkLinearizability: bounds and input errors', () => {
  it('answers unknown, not a hang, past its step budget', () => {
    const h = randomHistory({ seed: 11, processes: 16, keys: 1, operations: 3000, infoRate: 0.2 })
    const result = checkLinearizability(h, { maxStepsPerKey: 50 })
    expect(result.verdict).toBe('unknown')
    expect(result.unknownKeys).toEqual(['k0'])
    expect(result.explanation).toMatch(/^unknown/)
  })

  it('refuses a malformed history with the event at fault', () => {
    const orphan: HistoryEvent[] = [{ type: 'ok', process: 4, f: 'get', key: 'x', value: null, time: 1 }]
    expect(() => historyOperations(orphan)).toThrow(HistoryError)
    const twice: HistoryEvent[] = [
      { type: 'invoke', process: 1, f: 'get', key: 'x', value: null, time: 1 },
      { type: 'invoke', process: 1, f: 'get', key: 'y', value: null, time: 2 },
    ]
    try {
      checkLinearizability(twice)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(HistoryError)
      expect((err as HistoryError).code).toBe('MALFORMED_HISTORY')
      expect((err as HistoryError).eventIndex).toBe(1)
    }
  })
})
