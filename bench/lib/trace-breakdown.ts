// Where one-client puts spend their time, from the nodes' step traces
// (raftkv/server/step-trace.ts): for each put the leader answered, the steps of the leader
// and of the follower whose write finished first, as medians over the puts.
import type { TraceFile, TraceStep } from '../../raftkv/server/step-trace.js'

interface Ev { step: TraceStep; t: number; leader?: boolean }

export interface BreakdownRow { segment: string; medianMs: number; p90Ms: number }

export interface Breakdown { puts: number; rows: BreakdownRow[] }

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

/** The first event at or after `from` (index into evs, or -1), optionally of one step. */
function firstAfter(evs: Ev[], from: number, step?: TraceStep, until = Infinity): number {
  let lo = 0
  let hi = evs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (evs[mid]!.t < from) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < evs.length && evs[i]!.t <= until; i++) if (step === undefined || evs[i]!.step === step) return i
  return -1
}

/** The end of the step at index i: the start of the next event of that node. */
const stepEnd = (evs: Ev[], i: number): number => evs[i + 1]?.t ?? NaN

/** The breakdown over the last `lastPuts` puts of the leader (the node that answered the most). */
export function breakdown(files: TraceFile[], lastPuts: number): Breakdown {
  const nodes = files.map((f) => f.events.map(([step, t, leader]): Ev => (leader === undefined ? { step, t } : { step, t, leader })))
  const answers = nodes.map((evs) => evs.filter((e) => e.step === 'put-answered').length)
  const li = answers.indexOf(Math.max(...answers))
  const L = nodes[li]!
  const followers = nodes.filter((_, i) => i !== li)
  const segs = new Map<string, number[]>()
  const add = (name: string, ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0) return
    const xs = segs.get(name)
    if (xs) xs.push(ms)
    else segs.set(name, [ms])
  }
  const received = L.map((e, i) => (e.step === 'put-received' ? i : -1)).filter((i) => i >= 0)
  let puts = 0
  for (const [k, r] of received.entries()) {
    if (k < received.length - 1 - lastPuts || k === received.length - 1) continue
    const t0 = L[r]!.t
    const ans = firstAfter(L, t0, 'put-answered')
    if (ans < 0) continue
    const t9 = L[ans]!.t
    // Only puts alone in the cluster (one client): the next request comes after this answer.
    const next = received[k + 1] ?? -1
    if (next >= 0 && next < ans) continue
    const early = firstAfter(L, t0, 'send-early', t9)
    const lp = firstAfter(L, t0, 'persist', t9)
    if (early < 0 || lp < 0) continue
    const lpEnd = stepEnd(L, lp)
    // The follower whose write of this entry ended first.
    let best: { evs: Ev[]; p: number; end: number } | undefined
    for (const f of followers) {
      const p = firstAfter(f, L[early]!.t, 'persist', t9)
      if (p < 0) continue
      const end = stepEnd(f, p)
      if (!best || end < best.end) best = { evs: f, p, end }
    }
    if (!best) continue
    const f = best.evs
    const fm = firstAfter(f, L[early]!.t, 'messages', f[best.p]!.t)
    const fs = firstAfter(f, best.end, 'send', t9)
    const la = firstAfter(L, Math.max(lpEnd, best.end), 'apply', t9)
    puts++
    add('leader: request to its appends leaving', L[early]!.t - t0)
    add('leader: appends handed to the sockets', L[lp]!.t - L[early]!.t)
    add('leader: its own synced write (fsync)', lpEnd - L[lp]!.t)
    if (fm >= 0) add('follower: append arrives after it left', f[fm]!.t - L[early]!.t)
    if (fm >= 0) add('follower: arrival to its write', f[best.p]!.t - f[fm]!.t)
    add('follower: its synced write (fsync)', best.end - f[best.p]!.t)
    if (fs >= 0) add('follower: ack handed to the socket', stepEnd(f, fs) - f[fs]!.t)
    if (la >= 0) add('leader: both writes done to the apply', L[la]!.t - Math.max(lpEnd, best.end))
    if (la >= 0) add('leader: apply and answer', t9 - L[la]!.t)
    add('total: request to answer, in the leader', t9 - t0)
    if (next >= 0) add('client: answer to its next request', L[next]!.t - t9)
  }
  const rows = [...segs].map(([segment, xs]) => ({ segment, medianMs: +quantile(xs, 0.5).toFixed(3), p90Ms: +quantile(xs, 0.9).toFixed(3) }))
  return { puts, rows }
}
