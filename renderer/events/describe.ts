// A ClusterEvent's detail in a few words: its own facts, without what the row already
// shows (node, term) or the log line's plumbing (event name, message, pid, …).
import type { ClusterEvent } from '../../main/control/types'

const HIDDEN = new Set(['event', 'msg', 'term', 'node', 'level', 'time', 'pid', 'hostname', 'component'])

export function describeDetail(e: ClusterEvent): string {
  return Object.entries(e.detail)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ')
}
