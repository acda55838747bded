// The ClusterView of a moment, from what is known of each node (its process, its last
// /admin status), the partition the Controller set and the link rates.
import type { ClusterView, LinkView, NodeStatusInfo, NodeView, WorkloadView } from '../control/types.js'
import type { LinkRates } from './link-rates.js'

/**
 * The leader is the node whose own status says leader in the highest term among the
 * nodes that answer (0: none); the term is that one, else the highest term seen.
 */
export function leaderOf(nodes: readonly NodeView[]): { leader: number; term: number } {
  let leader = 0
  let leaderTerm = -1
  let maxTerm = 0
  for (const n of nodes) {
    const s = n.status
    if (!s) continue
    maxTerm = Math.max(maxTerm, s.term)
    if (s.role === 'leader' && s.term > leaderTerm) {
      leader = n.id
      leaderTerm = s.term
    }
  }
  return leader === 0 ? { leader: 0, term: maxTerm } : { leader, term: leaderTerm }
}

interface LinkFault {
  dropRate: number
  delayMs: number
}

/** What `from`'s own filters do to messages for `to`: a per-link entry, else its node-wide one. */
function outgoing(s: NodeStatusInfo, to: number): LinkFault {
  const link = s.faults.links?.find((l) => l.peer === to)
  return link ? { dropRate: link.dropRate, delayMs: link.delayMs } : { dropRate: s.faults.dropRate, delayMs: s.faults.delayMs }
}

export function buildLinks(nodes: readonly NodeView[], rates: LinkRates, nowMs: number): LinkView[] {
  const out: LinkView[] = []
  for (const a of nodes) {
    for (const b of nodes) {
      if (a.id === b.id) continue
      const cut = (a.status?.faults.blockedPeers.includes(b.id) ?? false) || (b.status?.faults.blockedPeers.includes(a.id) ?? false)
      const f = a.status ? outgoing(a.status, b.id) : { dropRate: 0, delayMs: 0 }
      const r = rates.rate(a.id, b.id, nowMs)
      out.push({
        from: a.id, to: b.id,
        state: cut ? 'cut' : f.dropRate > 0 || f.delayMs > 0 ? 'faulty' : 'up',
        dropRate: f.dropRate, delayMs: f.delayMs, msgsPerSec: r.msgsPerSec, byType: r.byType,
      })
    }
  }
  return out
}

export function buildView(mode: ClusterView['mode'], nodes: NodeView[], partition: number[][] | null, rates: LinkRates,
  workload: WorkloadView | null, nowMs: number): ClusterView {
  const { leader, term } = leaderOf(nodes)
  return { mode, leader, term, nodes, partition, links: buildLinks(nodes, rates, nowMs), workload, timeMs: nowMs }
}

export function emptyView(nowMs = Date.now()): ClusterView {
  return { mode: 'none', leader: 0, term: 0, nodes: [], partition: null, links: [], workload: null, timeMs: nowMs }
}
