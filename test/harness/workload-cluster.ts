// The test LocalCluster behind main/workload's narrow cluster interface, so that
// checked workloads can be tested on real processes without the Supervisor.
import type { ClusterView, NodeView } from '../../main/control/types.js'
import type { WorkloadCluster } from '../../main/workload/index.js'
import type { LocalCluster } from './cluster.js'

export function workloadCluster(cluster: LocalCluster): WorkloadCluster & { calls: string[] } {
  const calls: string[] = []
  const paused = new Set<number>()
  const signal = async (id: number, sig: NodeJS.Signals): Promise<void> => {
    cluster.nodes.get(id)!.proc!.kill(sig)
  }
  return {
    calls,
    connection: () => ({ endpoints: cluster.endpoints, token: cluster.token }),
    async status(): Promise<ClusterView> {
      const nodes: NodeView[] = await Promise.all([...cluster.nodes.values()].map(async (n) => {
        const running = cluster.isRunning(n.id)
        const status = running && !paused.has(n.id) ? await cluster.status(n.id).catch(() => null) : null
        return {
          id: n.id, addr: n.addr, status, lastSeenMs: status === null ? 0 : Date.now(),
          process: { state: !running ? 'stopped' : paused.has(n.id) ? 'paused' : 'running', pid: n.proc?.pid ?? null, exitCode: null, signal: null, restarts: 0 },
        } satisfies NodeView
      }))
      const leaders = nodes.flatMap((n) => (n.status?.role === 'leader' ? [n.status] : [])).sort((a, b) => b.term - a.term)
      const term = Math.max(0, ...nodes.map((n) => n.status?.term ?? 0))
      return { mode: 'local', leader: leaders[0]?.id ?? 0, term: leaders[0]?.term ?? term, nodes, partition: null, links: [], workload: null, timeMs: Date.now() }
    },
    async kill({ id }) { calls.push(`kill ${id}`); await cluster.kill(id) },
    async start({ id }) { calls.push(`start ${id}`); await cluster.startNode(id) },
    async pause({ id }) { calls.push(`pause ${id}`); paused.add(id); await signal(id, 'SIGSTOP') },
    async resume({ id }) { calls.push(`resume ${id}`); paused.delete(id); await signal(id, 'SIGCONT') },
    async partition({ groups }) { calls.push(`partition ${JSON.stringify(groups)}`); await cluster.partition(...groups) },
    async isolate({ id }) {
      calls.push(`isolate ${id}`)
      await cluster.partition([id], [...cluster.nodes.keys()].filter((o) => o !== id))
    },
    async heal() { calls.push('heal'); await cluster.heal() },
  }
}
