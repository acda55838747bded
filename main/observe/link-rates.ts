// Per-link message rates from the senders' counters: each node's status carries
// `transport.sent.<peer>.<MsgType>` (messages handed to the link to that peer); the rate is
// the growth of those counters over the last second or so of samples.
import type { NodeStatusInfo } from '../control/types.js'

const PREFIX = 'transport.sent.'
const WINDOW_MS = 1000

interface Sample {
  timeMs: number
  /** peer → type → count */
  sent: Map<number, Map<string, number>>
}

export interface LinkRate {
  msgsPerSec: number
  byType: Record<string, number>
}

function sentCounters(status: NodeStatusInfo): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>()
  for (const [k, v] of Object.entries(status.counters)) {
    if (!k.startsWith(PREFIX)) continue
    const rest = k.slice(PREFIX.length)
    const dot = rest.indexOf('.')
    const peer = Number(rest.slice(0, dot))
    if (dot <= 0 || !Number.isSafeInteger(peer)) continue
    let types = out.get(peer)
    if (!types) out.set(peer, (types = new Map()))
    types.set(rest.slice(dot + 1), v)
  }
  return out
}

export class LinkRates {
  private readonly samples = new Map<number, Sample[]>()

  /** Takes one status of node `id` received at nowMs. A restarted node (counters went down) starts over. */
  update(id: number, status: NodeStatusInfo, nowMs: number): void {
    const sent = sentCounters(status)
    let list = this.samples.get(id)
    if (!list) this.samples.set(id, (list = []))
    const last = list[list.length - 1]
    if (last && [...sent].some(([p, types]) => [...types].some(([t, n]) => n < (last.sent.get(p)?.get(t) ?? 0)))) list.length = 0
    list.push({ timeMs: nowMs, sent })
    while (list.length > 2 && list[1]!.timeMs <= nowMs - WINDOW_MS) list.shift()
  }

  forget(id: number): void {
    this.samples.delete(id)
  }

  rate(from: number, to: number, nowMs: number): LinkRate {
    const list = this.samples.get(from)
    const zero: LinkRate = { msgsPerSec: 0, byType: {} }
    if (!list || list.length < 2) return zero
    const first = list[0]!
    const last = list[list.length - 1]!
    // A sender whose samples stopped (paused, dead) sends nothing now.
    if (nowMs - last.timeMs > 2 * WINDOW_MS) return zero
    const dt = (last.timeMs - first.timeMs) / 1000
    if (dt <= 0) return zero
    const a = first.sent.get(to)
    const b = last.sent.get(to)
    if (!b) return zero
    const byType: Record<string, number> = {}
    let total = 0
    for (const [t, n] of b) {
      const r = (n - (a?.get(t) ?? 0)) / dt
      if (r > 0) {
        byType[t] = Math.round(r * 10) / 10
        total += r
      }
    }
    return { msgsPerSec: Math.round(total * 10) / 10, byType }
  }
}
