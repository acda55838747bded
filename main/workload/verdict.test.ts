import { describe, expect, it } from 'vitest'
import { checkLinearizability, type HistoryEvent } from '../../raftkv/check/index.js'
import { checkNdjson } from './check-history.js'
import { toVerdict } from './verdict.js'

const ms = 1e6
// A stale read of k7 (history times in ns, starting at 5 ms).
const stale: HistoryEvent[] = [
  { type: 'invoke', process: 0, f: 'put', key: 'k7', value: 'old', time: 5 * ms },
  { type: 'ok', process: 0, f: 'put', key: 'k7', value: 'old', time: 6 * ms },
  { type: 'invoke', process: 0, f: 'put', key: 'k7', value: 'new', time: 7 * ms },
  { type: 'ok', process: 0, f: 'put', key: 'k7', value: 'new', time: 8 * ms },
  { type: 'invoke', process: 2, f: 'put', key: 'other', value: 'x', time: 8.5 * ms },
  { type: 'invoke', process: 1, f: 'get', key: 'k7', value: null, time: 9 * ms },
  { type: 'ok', process: 1, f: 'get', key: 'k7', value: 'old', time: 10 * ms },
]

describe('toVerdict', () => {
  it('turns a violation into a counterexample: the key, its ops in ms since the start, the stuck one', () => {
    const verdict = toVerdict(checkLinearizability(stale), stale, 12.4)
    expect(verdict).toMatchObject({ linearizable: false, outcome: 'not-linearizable', ops: 4, keys: 2, checkMs: 12 })
    const cx = verdict.counterexample!
    expect(cx.key).toBe('k7')
    expect(cx.ops.map((op) => [op.f, op.value, op.invokeMs, op.completeMs])).toEqual([
      ['put', 'old', 0, 1], ['put', 'new', 2, 3], ['get', 'old', 4, 5],
    ])
    expect(cx.stuck).toBe(2)
    expect(cx.ops[cx.stuck]).toMatchObject({ client: 1, outcome: 'ok' })
    expect(cx.reason).toContain('key "k7"')
    expect(verdict.explanation).toContain(cx.reason)
  })

  it('says linearizable with no counterexample, and draws an in-doubt op as never completed', () => {
    const h: HistoryEvent[] = [
      { type: 'invoke', process: 0, f: 'put', key: 'a', value: 'v', time: 0 },
      { type: 'info', process: 0, f: 'put', key: 'a', value: 'v', time: 3 * ms },
      { type: 'invoke', process: 1, f: 'get', key: 'a', value: null, time: 4 * ms },
      { type: 'ok', process: 1, f: 'get', key: 'a', value: 'v', time: 5 * ms },
    ]
    const ok = toVerdict(checkLinearizability(h), h, 1)
    expect(ok).toMatchObject({ linearizable: true, outcome: 'linearizable', ops: 2, keys: 1 })
    expect(ok.counterexample).toBeUndefined()
    // Now the read returns before the in-doubt put was even invoked.
    const early = [h[2]!, h[3]!, { ...h[0]!, time: 6 * ms }, { ...h[1]!, time: 7 * ms }]
    const bad = toVerdict(checkLinearizability(early), early, 1)
    expect(bad.outcome).toBe('not-linearizable')
    expect(bad.counterexample!.ops.find((op) => op.f === 'put')).toMatchObject({ outcome: 'info', completeMs: null, invokeMs: 2 })
  })

  it('answers unknown past the budget', () => {
    const h: HistoryEvent[] = []
    for (let p = 0; p < 12; p++) h.push({ type: 'invoke', process: p, f: 'put', key: 'k', value: `v${p}`, time: p })
    for (let p = 0; p < 12; p++) h.push({ type: 'ok', process: p, f: 'put', key: 'k', value: `v${p}`, time: 100 + p })
    for (let p = 0; p < 12; p++) h.push({ type: 'invoke', process: 100 + p, f: 'get', key: 'k', value: null, time: 200 + p }, { type: 'ok', process: 100 + p, f: 'get', key: 'k', value: `v${(p * 5) % 12}`, time: 300 + p })
    const result = checkLinearizability(h, { maxStepsPerKey: 3 })
    expect(toVerdict(result, h, 0)).toMatchObject({ linearizable: false, outcome: 'unknown' })
  })
})

describe('checkNdjson', () => {
  it('checks a history as `raftkv load --history` writes it', () => {
    const verdict = checkNdjson(stale.map((e) => JSON.stringify(e)).join('\n') + '\n')
    expect(verdict.outcome).toBe('not-linearizable')
    expect(verdict.counterexample!.key).toBe('k7')
  })

  it('refuses what is not a history with BAD_ARGUMENT', () => {
    expect(() => checkNdjson(42)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
    expect(() => checkNdjson('{"type":"ok"')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('line 1') }))
    expect(() => checkNdjson('{"type":"ok","process":1,"f":"get","key":"x","value":null,"time":1}')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('without an invoke') }))
  })
})
