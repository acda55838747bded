import { describe, expect, it } from 'vitest'
import { ProposalTracker, type ProposalOutcome } from './proposals.js'
import { ReadQueue, type ReadOutcome } from './reads.js'

describe('ProposalTracker', () => {
  it('answers ok when its entry applies, stale when another entry took its index', () => {
    const t = new ProposalTracker()
    const got: Record<string, ProposalOutcome> = {}
    t.track(1, 10, 2, 1000, (o) => { got.a = o })
    t.track(2, 11, 2, 1000, (o) => { got.b = o })
    t.applied(10, 2, 1)
    t.applied(11, 3, 7) // a newer leader's entry at 11
    expect(got).toEqual({ a: { ok: true }, b: { ok: false, reason: 'stale' } })
    expect(t.size).toBe(0)
  })

  it('answers a user write when its entry commits, a conf change only when it applies', () => {
    const t = new ProposalTracker()
    const got: Record<string, ProposalOutcome> = {}
    t.track(1, 10, 2, 1000, (o) => { got.write = o }, true)
    t.track(2, 11, 2, 1000, (o) => { got.conf = o })
    t.track(3, 12, 2, 1000, (o) => { got.lost = o }, true)
    t.committed(10, 2)
    t.committed(11, 2)
    t.committed(12, 3) // a newer leader's entry took index 12: not this proposal
    expect(got).toEqual({ write: { ok: true } })
    t.applied(10, 2, 1) // already answered: nothing more
    t.applied(11, 2, 2, 'the last member cannot be removed')
    t.applied(12, 3, 9)
    expect(got).toEqual({ write: { ok: true }, conf: { ok: false, reason: 'refused', detail: 'the last member cannot be removed' }, lost: { ok: false, reason: 'stale' } })
    expect(t.size).toBe(0)
  })

  it('times out past the deadline and fails everything on stop', () => {
    const t = new ProposalTracker()
    const got: ProposalOutcome[] = []
    t.track(1, 5, 1, 100, (o) => got.push(o))
    t.track(2, 6, 1, 500, (o) => got.push(o))
    t.expire(200)
    expect(got).toEqual([{ ok: false, reason: 'timeout' }])
    t.failAll('stopped')
    expect(got[1]).toEqual({ ok: false, reason: 'stopped' })
  })
})

describe('ReadQueue', () => {
  it('batches queued reads into one request and serves them once applied reaches the read index', () => {
    const q = new ReadQueue()
    const got: ReadOutcome[] = []
    q.enqueue({ deadline: 1000, done: (o) => got.push(o) })
    q.enqueue({ deadline: 1000, done: (o) => got.push(o) })
    const ctx = q.takeBatch()!
    expect(q.takeBatch()).toBeUndefined()
    q.answered(ctx, 42)
    q.serve(41)
    expect(got).toEqual([])
    q.serve(42)
    expect(got).toEqual([{ ok: true }, { ok: true }])
    expect(q.pending).toBe(0)
  })

  it('fails unanswered reads on leadership loss but still serves answered ones', () => {
    const q = new ReadQueue()
    const a: ReadOutcome[] = []
    const b: ReadOutcome[] = []
    q.enqueue({ deadline: 1000, done: (o) => a.push(o) })
    const ctx = q.takeBatch()!
    q.answered(ctx, 5)
    q.enqueue({ deadline: 1000, done: (o) => b.push(o) })
    q.takeBatch()
    q.failUnanswered('not-leader')
    expect(b).toEqual([{ ok: false, reason: 'not-leader' }])
    q.serve(5)
    expect(a).toEqual([{ ok: true }])
  })

  it('expires reads past their deadline wherever they wait', () => {
    const q = new ReadQueue()
    const got: ReadOutcome[] = []
    q.enqueue({ deadline: 100, done: (o) => got.push(o) })
    q.takeBatch()
    q.enqueue({ deadline: 100, done: (o) => got.push(o) })
    q.expire(150)
    expect(got).toEqual([{ ok: false, reason: 'timeout' }, { ok: false, reason: 'timeout' }])
    expect(q.pending).toBe(0)
  })
})
