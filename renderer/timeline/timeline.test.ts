import { describe, expect, it } from 'vitest'
import type { ClusterEvent, HistoryOp } from '../../main/control/types'
import { faultBands } from './fault-bands'
import { opLabel, warpedLayout } from './warped-axis'
import { familiesText, familyOf } from '../network/message-types'

let seq = 0
const ev = (timeMs: number, kind: ClusterEvent['kind'], node?: number, detail: Record<string, unknown> = {}): ClusterEvent =>
  ({ seq: ++seq, timeMs, kind, detail, ...(node === undefined ? {} : { node }) })

describe('fault bands', () => {
  it('draws a kill until the node is ready again, a pause until resume, a partition until heal', () => {
    const bands = faultBands([
      ev(100, 'node-killed', 2), ev(110, 'node-exited', 2, { expected: true }), ev(400, 'node-started', 2), ev(450, 'node-ready', 2),
      ev(500, 'node-paused', 3), ev(700, 'node-resumed', 3),
      ev(800, 'partition-set', undefined, { groups: [[1], [2, 3]] }), ev(900, 'link-faults-set'), ev(1000, 'healed'),
      ev(1100, 'node-exited', 1, { expected: false }),
    ])
    expect(bands).toEqual([
      { lane: 'kill', fromMs: 100, toMs: 450, label: 'node 2 killed' },
      { lane: 'pause', fromMs: 500, toMs: 700, label: 'node 3 paused' },
      { lane: 'partition', fromMs: 800, toMs: 1000, label: '{1} | {2, 3}' },
      { lane: 'link faults', fromMs: 900, toMs: 1000, label: 'lossy or slow links' },
      { lane: 'kill', fromMs: 1100, toMs: null, label: 'node 1 crashed' },
    ])
  })

  it('closes every open band at shutdown, and a new partition closes the previous one', () => {
    const bands = faultBands([ev(1, 'partition-set', 1), ev(5, 'partition-set', undefined, { groups: [[1, 2], [3]] }), ev(6, 'node-paused', 1), ev(9, 'cluster-shutdown')])
    expect(bands.map((b) => [b.lane, b.fromMs, b.toMs, b.label])).toEqual([['partition', 1, 5, 'node 1 isolated'], ['partition', 5, 9, '{1, 2} | {3}'], ['pause', 6, 9, 'node 1 paused']])
  })
})

describe('the counterexample\'s warped axis', () => {
  const op = (client: number, invokeMs: number, completeMs: number | null, f: HistoryOp['f'] = 'put', value: string | null = '1'): HistoryOp =>
    ({ client, f, key: 'k', value, invokeMs, completeMs, outcome: completeMs === null ? 'info' : 'ok' })

  it('keeps the order of instants, leaves room for each label, and leaves unknown outcomes open', () => {
    const ops = [op(1, 0, 1000), op(2, 1, 2, 'get', null), op(3, 3, null)]
    const { bars, width } = warpedLayout(ops, { gap: 10, charWidth: 7, pad: 16, openTail: 60 })
    // 0 → 0; 1 → 10; 2 → max(20, 10 + 16 + 7 * "get → ∅".length); 3 → next; 1000 → after 3 and wide enough for "put 1".
    expect(bars[1]!.x0).toBe(10)
    expect(bars[1]!.x1).toBe(10 + 16 + 7 * opLabel(ops[1]!).length)
    expect(bars[2]!.x0).toBe(bars[1]!.x1 + 10)
    expect(bars[0]!.x1).toBe(bars[2]!.x0 + 10)
    expect(bars[2]!.open).toBe(true)
    expect(bars[2]!.x1).toBeGreaterThan(bars[0]!.x1)
    expect(width).toBe(bars[2]!.x1)
  })

  it('labels operations as they read', () => {
    expect([opLabel(op(1, 0, 1)), opLabel(op(1, 0, 1, 'get', '7')), opLabel(op(1, 0, 1, 'get', null)), opLabel(op(1, 0, null, 'get', null)), opLabel(op(1, 0, 1, 'delete', null))])
      .toEqual(['put 1', 'get → 7', 'get → ∅', 'get → ?', 'delete'])
  })
})

describe('message families', () => {
  it('groups raft message types with their responses, busiest first', () => {
    expect(['MsgAppend', 'MsgAppendResponse', 'MsgHeartbeatResponse', 'MsgPreVote', 'MsgVoteResponse', 'MsgSnapshot', 'MsgTimeoutNow'].map(familyOf))
      .toEqual(['append', 'append', 'heartbeat', 'vote', 'vote', 'snapshot', 'other'])
    expect(familiesText({ MsgAppend: 10, MsgAppendResponse: 10.4, MsgHeartbeat: 4.5, MsgVote: 0 })).toBe('append 20 · heartbeat 4.5')
    expect(familiesText(undefined)).toBe('')
    expect(familiesText({ MsgHeartbeat: 4.5, MsgAppend: 12 }, 2, true)).toBe('app 12 · hb 4.5')
  })
})

describe('replay positions', () => {
  it('finds the last sample at or before an instant', async () => {
    const { sampleIndexAt } = await import('../stores/replay')
    const samples = [100, 200, 300].map((timeMs) => ({ timeMs, view: {} as never }))
    expect([50, 100, 199, 200, 250, 300, 999].map((t) => sampleIndexAt(samples, t))).toEqual([0, 0, 0, 1, 1, 2, 2])
  })
})
