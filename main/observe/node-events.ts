// The nodes' structured `event` log lines that become ClusterEvents (the rest stay log
// lines). Readiness and exits come from the Supervisor itself; leader and term changes
// from the merged status (status-events.ts).
import type { ClusterEventKind, LogLine } from '../control/types.js'

const KINDS: Record<string, ClusterEventKind> = {
  'role-changed': 'role-changed',
  'conf-change': 'conf-change',
  'snapshot-send-started': 'snapshot-started',
  'snapshot-receive-started': 'snapshot-started',
  'snapshot-sent': 'snapshot-done',
  'snapshot-applied': 'snapshot-done',
  'snapshot-send-failed': 'snapshot-failed',
  'snapshot-receive-failed': 'snapshot-failed',
  'snapshot-generate-failed': 'snapshot-failed',
  'snapshot-refused': 'snapshot-failed',
}

export interface LineEvent {
  kind: ClusterEventKind
  term: number | undefined
  detail: Record<string, unknown>
}

export function eventOfLine(line: LogLine): LineEvent | undefined {
  const name = line.fields.event
  if (typeof name !== 'string') return undefined
  const kind = KINDS[name]
  if (kind === undefined) return undefined
  const { event: _event, pid: _pid, node: _node, component: _component, hostname: _hostname, ...rest } = line.fields
  const term = typeof rest.term === 'number' ? rest.term : undefined
  return { kind, term, detail: { event: name, msg: line.msg, ...rest } }
}
