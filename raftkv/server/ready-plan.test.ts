// The order of one Ready: what is persisted first, what is applied before the fsync, what after.
import { describe, expect, it } from 'vitest'
import { earlyApplyCount, planReady, type ReadyShape, type ReadyStep } from './ready-plan.js'

const hs = (term: number, vote: number, commit: number) => ({ term, vote, commit })
const zero = hs(0, 0, 0)
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const cases: { name: string; ready: ReadyShape; early: number; steps: ReadyStep[] }[] = [
  {
    name: 'new entries, committed ones already on disk: applied before the fsync, their commit in the apply batch',
    ready: { persistedLastIndex: 10, firstNewIndex: 11, hasSnapshot: false, committedIndexes: range(6, 10), hardState: hs(3, 1, 10) },
    early: 5,
    steps: [
      { kind: 'apply', start: 0, end: 5, commit: 10 },
      { kind: 'persist' }, { kind: 'send' }, { kind: 'advance' },
    ],
  },
  {
    name: 'committed entries reach into the new ones: the persisted part early, the rest after the write',
    ready: { persistedLastIndex: 10, firstNewIndex: 11, hasSnapshot: false, committedIndexes: range(8, 12), hardState: hs(3, 1, 12) },
    early: 3,
    steps: [
      { kind: 'apply', start: 0, end: 3, commit: 10 },
      { kind: 'persist' }, { kind: 'send' },
      { kind: 'apply', start: 3, end: 5 },
      { kind: 'advance' },
    ],
  },
  {
    name: 'entries that overwrite the disk from index 9: nothing from 9 on is applied early (the copy on disk may be stale)',
    ready: { persistedLastIndex: 12, firstNewIndex: 9, hasSnapshot: false, committedIndexes: range(7, 10), hardState: hs(4, 2, 10) },
    early: 2,
    steps: [
      { kind: 'apply', start: 0, end: 2, commit: 8 },
      { kind: 'persist' }, { kind: 'send' },
      { kind: 'apply', start: 2, end: 4 },
      { kind: 'advance' },
    ],
  },
  {
    name: 'a snapshot in the Ready: it lands first, nothing is applied before the write',
    ready: { persistedLastIndex: 10, firstNewIndex: 21, hasSnapshot: true, committedIndexes: [21], hardState: hs(5, 0, 21) },
    early: 0,
    steps: [{ kind: 'persist' }, { kind: 'send' }, { kind: 'apply', start: 0, end: 1 }, { kind: 'advance' }],
  },
  {
    name: 'a commit-only Ready (no new entries): applied first, the commit in the same write, then the messages',
    ready: { persistedLastIndex: 10, firstNewIndex: 0, hasSnapshot: false, committedIndexes: range(9, 10), hardState: hs(3, 1, 10) },
    early: 2,
    steps: [{ kind: 'apply', start: 0, end: 2, commit: 10 }, { kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
  {
    name: "a leader's commit Ready: answer the client (apply) before broadcasting the commit index",
    ready: { persistedLastIndex: 10, firstNewIndex: 0, hasSnapshot: false, committedIndexes: [10], hardState: hs(3, 1, 10), hasEarlyMessages: true },
    early: 1,
    steps: [{ kind: 'apply', start: 0, end: 1, commit: 10 }, { kind: 'send-early' }, { kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
  {
    name: "a leader's new entries: its appends leave before its write, committed entries on disk are applied meanwhile",
    ready: { persistedLastIndex: 10, firstNewIndex: 11, hasSnapshot: false, committedIndexes: [9, 10], hardState: hs(3, 1, 10), hasEarlyMessages: true },
    early: 2,
    steps: [{ kind: 'send-early' }, { kind: 'apply', start: 0, end: 2, commit: 10 }, { kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
  {
    name: 'hard state unchanged: the commit on disk already covers the early entries, none in the batch',
    ready: { persistedLastIndex: 10, firstNewIndex: 11, hasSnapshot: false, committedIndexes: [10], hardState: zero },
    early: 1,
    steps: [{ kind: 'apply', start: 0, end: 1 }, { kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
  {
    name: 'only messages, or reads waiting on an index (readStates): persist, send, advance (which serves the reads)',
    ready: { persistedLastIndex: 10, firstNewIndex: 0, hasSnapshot: false, committedIndexes: [], hardState: zero },
    early: 0,
    steps: [{ kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
  {
    name: "a follower's new entries: write, ack, then apply (nobody waits for a follower's apply; the leader waits for its ack)",
    ready: { persistedLastIndex: 10, firstNewIndex: 11, hasSnapshot: false, committedIndexes: [9, 10], hardState: hs(3, 1, 10), leader: false },
    early: 2,
    steps: [{ kind: 'persist' }, { kind: 'send' }, { kind: 'apply', start: 0, end: 2 }, { kind: 'advance' }],
  },
  {
    name: "a follower's commit-only Ready: applied with the commit in the same batch, as for a leader",
    ready: { persistedLastIndex: 10, firstNewIndex: 0, hasSnapshot: false, committedIndexes: range(9, 10), hardState: hs(3, 1, 10), leader: false },
    early: 2,
    steps: [{ kind: 'apply', start: 0, end: 2, commit: 10 }, { kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
  {
    name: 'new entries but nothing committed: no early apply',
    ready: { persistedLastIndex: 10, firstNewIndex: 11, hasSnapshot: false, committedIndexes: [], hardState: hs(3, 1, 8) },
    early: 0,
    steps: [{ kind: 'persist' }, { kind: 'send' }, { kind: 'advance' }],
  },
]

describe('planReady', () => {
  it.each(cases)('$name', ({ ready, early, steps }) => {
    expect(earlyApplyCount(ready)).toBe(early)
    expect(planReady(ready)).toEqual(steps)
  })

  it('applies every committed entry exactly once, in order, never before a snapshot or an overwritten entry, never past the commit on disk', () => {
    for (let persisted = 0; persisted <= 6; persisted++) {
      for (let first = 0; first <= 7; first++) {
        for (const snap of [false, true]) {
          for (const [hasEarlyMessages, leader] of [[false, true], [true, true], [false, false]] as const) {
            const committed = range(1, 6)
            const ready = { persistedLastIndex: Math.max(persisted, first === 0 ? 6 : 0), firstNewIndex: first, hasSnapshot: snap, committedIndexes: committed, hardState: hs(2, 1, 6), hasEarlyMessages, leader }
            const plan = planReady(ready)
            const applies = plan.filter((s): s is Extract<ReadyStep, { kind: 'apply' }> => s.kind === 'apply')
            expect(applies.flatMap((a) => range(a.start, a.end - 1))).toEqual(range(0, 5))
            const persistAt = plan.findIndex((s) => s.kind === 'persist')
            for (const a of applies.filter((x) => plan.indexOf(x) < persistAt)) {
              expect(snap).toBe(false)
              const limit = first === 0 ? ready.persistedLastIndex : Math.min(ready.persistedLastIndex, first - 1)
              expect(committed[a.end - 1]!).toBeLessThanOrEqual(limit)
              // The batch carries a commit covering what it applies, and no further than the disk's log.
              expect(a.commit).toBeGreaterThanOrEqual(committed[a.end - 1]!)
              expect(a.commit).toBeLessThanOrEqual(limit)
            }
            expect(plan.filter((s) => s.kind === 'send-early')).toHaveLength(hasEarlyMessages ? 1 : 0)
            if (hasEarlyMessages && first !== 0) expect(plan[0]).toEqual({ kind: 'send-early' })
            // Early messages leave before the write (that is the point), never after it.
            if (hasEarlyMessages) expect(plan.findIndex((s) => s.kind === 'send-early')).toBeLessThan(persistAt)
            expect(plan.slice(-1)).toEqual([{ kind: 'advance' }])
            // A follower that writes entries sends (its ack) before it applies anything.
            if (!leader && first !== 0) expect(plan.findIndex((s) => s.kind === 'apply')).toBeGreaterThan(plan.findIndex((s) => s.kind === 'send'))
          }
        }
      }
    }
  })
})
