// Events that only a change of the merged status shows: a new leader, a higher term, a
// compacted log; in an attached cluster (no log lines) also role changes.
import type { ClusterEventKind, ClusterView } from '../control/types.js'

export interface StatusEvent {
  kind: ClusterEventKind
  node: number | undefined
  term: number | undefined
  detail: Record<string, unknown>
}

export function statusEvents(prev: ClusterView, next: ClusterView, withRoles: boolean): StatusEvent[] {
  const out: StatusEvent[] = []
  if (next.term > prev.term) out.push({ kind: 'term-changed', node: undefined, term: next.term, detail: { from: prev.term, to: next.term } })
  if (next.leader !== prev.leader) {
    out.push({ kind: 'leader-changed', node: next.leader === 0 ? undefined : next.leader, term: next.term, detail: { from: prev.leader, to: next.leader } })
  }
  const before = new Map(prev.nodes.map((n) => [n.id, n.status]))
  for (const n of next.nodes) {
    const was = before.get(n.id)
    const now = n.status
    if (!was || !now) continue
    if (now.truncatedIndex > was.truncatedIndex) {
      out.push({ kind: 'log-compacted', node: n.id, term: now.term, detail: { from: was.truncatedIndex, truncatedIndex: now.truncatedIndex } })
    }
    if (withRoles && now.role !== was.role) out.push({ kind: 'role-changed', node: n.id, term: now.term, detail: { from: was.role, role: now.role } })
  }
  return out
}
