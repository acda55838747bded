// Event kinds in the groups the Timeline's filter offers.
import type { ClusterEventKind } from '../../main/control/types'

export const KIND_GROUPS: Record<string, readonly ClusterEventKind[]> = {
  Leadership: ['leader-changed', 'term-changed', 'role-changed'],
  Faults: ['node-killed', 'node-exited', 'node-stopped', 'node-paused', 'node-resumed', 'partition-set', 'link-faults-set', 'healed', 'nemesis', 'error'],
  Processes: ['node-started', 'node-ready'],
  Membership: ['node-added', 'node-removed', 'conf-change'],
  Snapshots: ['log-compacted', 'snapshot-started', 'snapshot-done', 'snapshot-failed'],
  Cluster: ['cluster-launched', 'cluster-attached', 'cluster-shutdown', 'workload-started', 'workload-finished'],
}

const FAULT_KINDS = new Set<string>(['node-killed', 'node-exited', 'node-stopped', 'node-paused', 'partition-set', 'link-faults-set', 'snapshot-failed', 'error', 'nemesis'])

export function eventTone(kind: string): 'fault' | 'leadership' | 'healed' | '' {
  if (FAULT_KINDS.has(kind)) return 'fault'
  if (KIND_GROUPS.Leadership!.includes(kind as ClusterEventKind)) return 'leadership'
  return kind === 'healed' || kind === 'node-resumed' ? 'healed' : ''
}
