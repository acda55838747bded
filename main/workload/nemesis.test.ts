import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ClusterView, NodeView } from '../control/types.js'
import { ControlError } from '../control/errors.js'
import type { NemesisOps } from './cluster-ops.js'
import { Nemesis, type NemesisReport } from './nemesis.js'

function fakeCluster(size: number, leader: number): NemesisOps & { calls: string[]; failKill: boolean } {
  const calls: string[] = []
  const state = new Map<number, NodeView['process']['state']>(Array.from({ length: size }, (_, i) => [i + 1, 'running']))
  const node = (id: number): NodeView => ({ id, addr: `127.0.0.1:${7000 + id}`, status: null, lastSeenMs: 0, process: { state: state.get(id)!, pid: id, exitCode: null, signal: null, restarts: 0 } })
  const fake = {
    calls,
    failKill: false,
    async status(): Promise<ClusterView> {
      return { mode: 'local', leader, term: 3, nodes: [...state.keys()].map(node), partition: null, links: [], workload: null, timeMs: 0 }
    },
    async kill({ id }: { id: number }) {
      if (fake.failKill) throw new ControlError('NODE_NOT_RUNNING', `node ${id} is not running`)
      calls.push(`kill ${id}`); state.set(id, 'stopped')
    },
    async start({ id }: { id: number }) { calls.push(`start ${id}`); state.set(id, 'running') },
    async pause({ id }: { id: number }) { calls.push(`pause ${id}`); state.set(id, 'paused') },
    async resume({ id }: { id: number }) { calls.push(`resume ${id}`); state.set(id, 'running') },
    async partition({ groups }: { groups: number[][] }) { calls.push(`partition ${JSON.stringify(groups)}`) },
    async isolate({ id }: { id: number }) { calls.push(`isolate ${id}`) },
    async heal() { calls.push('heal') },
  }
  return fake
}

describe('Nemesis', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('kills a node every everyMs and starts it again forMs later; stop() undoes what is in effect', async () => {
    const cluster = fakeCluster(3, 1)
    const reports: NemesisReport[] = []
    const nemesis = new Nemesis(cluster, [{ kind: 'kill', everyMs: 1000, forMs: 400 }], { random: () => 0.99, onReport: (r) => reports.push(r) })
    nemesis.start()
    await vi.advanceTimersByTimeAsync(999)
    expect(cluster.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(cluster.calls).toEqual(['kill 3'])
    await vi.advanceTimersByTimeAsync(400)
    expect(cluster.calls).toEqual(['kill 3', 'start 3'])
    await vi.advanceTimersByTimeAsync(700)
    expect(cluster.calls).toEqual(['kill 3', 'start 3', 'kill 3'])
    await nemesis.stop()
    expect(cluster.calls).toEqual(['kill 3', 'start 3', 'kill 3', 'start 3'])
    await vi.advanceTimersByTimeAsync(5000)
    expect(cluster.calls).toHaveLength(4)
    expect(reports.map((r) => `${r.phase} ${r.kind} ${r.nodes.join(',')}`)).toEqual(['inject kill 3', 'undo kill 3', 'inject kill 3', 'undo kill 3'])
  })

  it('isolates the leader, partitions a minority away, pauses a node: one fault at a time, each undone', async () => {
    const cluster = fakeCluster(5, 4)
    const nemesis = new Nemesis(cluster, [
      { kind: 'isolate-leader', everyMs: 1000, forMs: 300 },
      { kind: 'partition', everyMs: 1500, forMs: 500 },
      { kind: 'pause', everyMs: 2500, forMs: 2000 },
    ], { random: () => 0 })
    nemesis.start()
    await vi.advanceTimersByTimeAsync(12_000)
    await nemesis.stop()
    expect(cluster.calls).toContain('isolate 4')
    expect(cluster.calls).toContain('pause 1')
    const partition = cluster.calls.find((c) => c.startsWith('partition'))!
    const groups = JSON.parse(partition.slice('partition '.length)) as number[][]
    expect(groups[0]).toHaveLength(2)
    expect([...groups[0]!, ...groups[1]!].sort()).toEqual([1, 2, 3, 4, 5])
    // Every fault is undone before the next one starts, and none is left at the end.
    const undo: Record<string, string> = { isolate: 'heal', partition: 'heal', pause: 'resume' }
    for (let i = 0; i < cluster.calls.length; i += 2) expect(cluster.calls[i + 1]?.split(' ')[0]).toBe(undo[cluster.calls[i]!.split(' ')[0]!])
  })

  it('reports a call that fails and keeps going', async () => {
    const cluster = fakeCluster(3, 1)
    cluster.failKill = true
    const reports: NemesisReport[] = []
    const nemesis = new Nemesis(cluster, [{ kind: 'kill', everyMs: 500, forMs: 100 }], { onReport: (r) => reports.push(r) })
    nemesis.start()
    await vi.advanceTimersByTimeAsync(1000)
    await nemesis.stop()
    expect(reports).toHaveLength(2)
    expect(reports[0]!.error).toMatch(/^NODE_NOT_RUNNING/)
    expect(cluster.calls).toEqual([])
  })
})
