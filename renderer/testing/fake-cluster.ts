// A simulated cluster behind the DashboardApi, for component tests and for a preview
// page before the real Supervisor is at hand. Deterministic: time moves only when
// tick() is called. It imitates the shapes and errors, not Raft's rules in detail.
import type {
  ClusterEvent, ClusterEventKind, ClusterView, ControlErrorCode, KeyValue, LinkFaultsSpec, LinkView, NodeRef,
  NodeStatusInfo, NodeView, NotificationMap, ProcessState, SnapshotTransferInfo, Topic,
} from '../../main/control/types'
import type { ConnectionState, DashboardApi } from '../api/types'

interface SimNode {
  id: number
  state: ProcessState
  exitCode: number | null
  signal: string | null
  restarts: number
  role: string
  term: number
  vote: number
  leader: number
  first: number
  last: number
  commit: number
  applied: number
  lastSeenMs: number
  transfer: SnapshotTransferInfo | null
}

export class FakeControlError extends Error {
  constructor(readonly code: ControlErrorCode, message: string, readonly kvCode?: string) {
    super(message)
  }
}

export interface FakeCluster {
  api: DashboardApi
  /** Advance simulated time by one status interval (250 ms) and notify. */
  tick(): void
  /** The calls made, in order, as "method" or "method:arg". */
  calls: string[]
  /** Make the next call of `method` fail with this error. */
  failNext(method: string, error: FakeControlError): void
  view(): ClusterView
  setConnection(state: ConnectionState): void
}

export function createFakeCluster(options: { launched?: boolean; nodes?: number } = {}): FakeCluster {
  let nowMs = 1_700_000_000_000
  let nodes: SimNode[] = []
  let mode: ClusterView['mode'] = 'none'
  let partition: number[][] | null = null
  const faults = new Map<string, { dropRate: number; delayMs: number }>()
  const kv = new Map<string, string>()
  const events: ClusterEvent[] = []
  const listeners = new Map<Topic, Set<(p: never) => void>>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  const failures = new Map<string, FakeControlError>()
  const calls: string[] = []
  let connection: ConnectionState = 'open'
  let seq = 0
  let nextId = 1

  function emit<T extends Topic>(topic: T, payload: NotificationMap[T]): void {
    for (const l of listeners.get(topic) ?? []) (l as (p: NotificationMap[T]) => void)(payload)
  }
  function event(kind: ClusterEventKind, node?: number, detail: Record<string, unknown> = {}): void {
    const e: ClusterEvent = { seq: ++seq, timeMs: nowMs, kind, detail, ...(node === undefined ? {} : { node }) }
    events.push(e)
    emit('event', e)
  }
  function newNode(id: number): SimNode {
    return { id, state: 'running', exitCode: null, signal: null, restarts: 0, role: 'follower', term: 1, vote: 0, leader: 0, first: 1, last: 0, commit: 0, applied: 0, lastSeenMs: nowMs, transfer: null }
  }
  const up = (n: SimNode) => n.state === 'running'
  function linked(a: number, b: number): boolean {
    if (partition !== null) {
      const ga = partition.findIndex((g) => g.includes(a))
      if (ga !== partition.findIndex((g) => g.includes(b))) return false
    }
    return (faults.get(`${a}-${b}`)?.dropRate ?? 0) < 1
  }
  function reachable(n: SimNode): SimNode[] {
    return nodes.filter((m) => up(m) && (m.id === n.id || linked(n.id, m.id)))
  }
  function leaderNode(): SimNode | undefined {
    return nodes.filter((n) => up(n) && n.role === 'leader').sort((a, b) => b.term - a.term)[0]
  }

  function step(): void {
    nowMs += 250
    const maxTerm = Math.max(0, ...nodes.map((n) => n.term))
    // A leader that cannot reach a majority steps down after a while (check quorum).
    for (const n of nodes) {
      if (up(n) && n.role === 'leader' && reachable(n).length * 2 <= nodes.length) {
        n.role = 'follower'
        n.leader = 0
        event('role-changed', n.id, { role: 'follower' })
      }
    }
    // Any majority without a live leader elects its lowest id.
    for (const n of nodes) {
      if (!up(n)) continue
      const group = reachable(n)
      if (group.length * 2 <= nodes.length || group.some((m) => m.role === 'leader' && m.term >= maxTerm)) continue
      if (group[0]!.id !== n.id) continue
      const term = maxTerm + 1
      for (const m of group) Object.assign(m, { term, vote: n.id, leader: n.id, role: m.id === n.id ? 'leader' : 'follower' })
      event('leader-changed', n.id, { term })
      event('term-changed', n.id, { term })
    }
    const leader = leaderNode()
    if (leader !== undefined) {
      leader.last += 3
      const group = reachable(leader).filter((m) => m.id !== leader.id)
      for (const f of group) {
        f.term = leader.term
        f.leader = leader.id
        if (f.last < leader.first - 1) {
          f.transfer ??= { peer: leader.id, direction: 'receive', index: leader.applied, term: leader.term, bytesDone: 0, bytesTotal: 8 << 20, chunksDone: 0, chunksTotal: 8, rateBytesPerSec: 4 << 20, state: 'receiving', reason: '', startedAtMs: nowMs }
          f.transfer.bytesDone = Math.min(f.transfer.bytesTotal, f.transfer.bytesDone + (2 << 20))
          if (f.transfer.bytesDone === f.transfer.bytesTotal) {
            f.transfer.state = 'done'
            f.first = leader.first
            f.last = f.applied = f.commit = leader.first - 1
          }
          continue
        }
        f.last = Math.min(leader.last, f.last + 20)
      }
      const acked = [leader.last, ...group.map((f) => f.last)].sort((a, b) => b - a)
      leader.commit = Math.max(leader.commit, acked[Math.floor(nodes.length / 2)] ?? leader.commit)
      for (const n of [leader, ...group]) {
        n.commit = Math.min(leader.commit, n.last)
        n.applied = n.commit
        if (n.applied - n.first > 60) n.first = n.applied - 20
      }
    }
    for (const n of nodes) if (up(n)) n.lastSeenMs = nowMs
  }

  function statusOf(n: SimNode): NodeStatusInfo | null {
    if (!up(n)) return null
    const leader = n.role === 'leader'
    const transfers: SnapshotTransferInfo[] = []
    if (n.transfer) transfers.push(n.transfer)
    if (leader) for (const f of nodes) if (f.transfer && f.transfer.state !== 'done') transfers.push({ ...f.transfer, peer: f.id, direction: 'send', state: 'sending' })
    return {
      id: n.id, role: n.role, term: n.term, vote: n.vote, leader: n.leader, firstIndex: n.first, lastIndex: n.last,
      stabledIndex: n.last, commitIndex: n.commit, appliedIndex: n.applied, truncatedIndex: n.first - 1,
      members: nodes.map((m) => ({ id: m.id, addr: `127.0.0.1:${7000 + m.id}` })),
      progress: leader ? nodes.map((m) => ({ id: m.id, match: m.last, next: m.last + 1, state: m.transfer && m.transfer.state !== 'done' ? 'snapshot' : up(m) && linked(n.id, m.id) ? 'replicate' : 'probe', recentActive: up(m), pendingSnapshot: 0 })) : [],
      counters: {}, snapshots: { sent: 0, received: 0, applied: 0, failed: 0, transfers },
      faults: { blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 }, addr: `127.0.0.1:${7000 + n.id}`, uptimeMs: 1000, pid: 1000 + n.id, removed: false,
    }
  }

  function view(): ClusterView {
    const nv: NodeView[] = nodes.map((n) => ({
      id: n.id, addr: `127.0.0.1:${7000 + n.id}`,
      process: { state: n.state, pid: up(n) ? 1000 + n.id : null, exitCode: n.exitCode, signal: n.signal, restarts: n.restarts },
      status: statusOf(n), lastSeenMs: n.lastSeenMs,
    }))
    const links: LinkView[] = []
    for (const a of nodes) for (const b of nodes) {
      if (a.id === b.id) continue
      const f = faults.get(`${a.id}-${b.id}`)
      const cut = !linked(a.id, b.id) && f === undefined
      links.push({ from: a.id, to: b.id, state: cut ? 'cut' : f ? 'faulty' : 'up', dropRate: f?.dropRate ?? 0, delayMs: f?.delayMs ?? 0, msgsPerSec: up(a) && up(b) && !cut ? (a.role === 'leader' ? 12 : 5) : 0 })
    }
    const leader = leaderNode()
    return { mode, leader: leader?.id ?? 0, term: leader?.term ?? Math.max(0, ...nodes.map((n) => n.term)), nodes: nv, partition, links, workload: null, timeMs: nowMs }
  }

  function find(p: NodeRef): SimNode {
    const n = nodes.find((x) => x.id === p.id)
    if (n === undefined) throw new FakeControlError('UNKNOWN_NODE', `no node ${p.id}`)
    return n
  }
  function needCluster(): void {
    if (mode === 'none') throw new FakeControlError('NO_CLUSTER', 'no cluster')
  }
  function launch(count: number): ClusterView {
    if (mode !== 'none') throw new FakeControlError('CLUSTER_RUNNING', 'a cluster is running')
    mode = 'local'
    nodes = Array.from({ length: count }, (_, i) => newNode(i + 1))
    nextId = count + 1
    event('cluster-launched')
    step()
    step()
    return view()
  }
  function leaderForKv(): void {
    needCluster()
    if (leaderNode() === undefined) throw new FakeControlError('KV_ERROR', 'no leader', 'NOT_LEADER')
  }

  const impl: Record<string, (p: never) => unknown> = {
    launch: (p?: { nodes?: number }) => launch(p?.nodes ?? 3),
    shutdown: () => { needCluster(); mode = 'none'; nodes = []; partition = null; event('cluster-shutdown') },
    attach: () => { throw new FakeControlError('TIMEOUT', 'no node answered at 127.0.0.1:7001') },
    detach: () => { mode = 'none'; nodes = [] },
    kill: (p: NodeRef) => { const n = find(p); Object.assign(n, { state: 'crashed', signal: 'SIGKILL', exitCode: null, role: 'follower' }); event('node-killed', n.id) },
    stop: (p: NodeRef) => { const n = find(p); Object.assign(n, { state: 'stopped', signal: null, exitCode: 0, role: 'follower' }) },
    start: (p: NodeRef) => { const n = find(p); n.state = 'running' },
    restart: (p: NodeRef) => { const n = find(p); Object.assign(n, { state: 'running', signal: null, exitCode: null, restarts: n.restarts + 1, role: 'follower', leader: 0 }); event('node-started', n.id) },
    pause: (p: NodeRef) => { const n = find(p); if (!up(n)) throw new FakeControlError('NODE_NOT_RUNNING', 'not running'); n.state = 'paused' },
    resume: (p: NodeRef) => { const n = find(p); n.state = 'running' },
    isolate: (p: NodeRef) => { find(p); partition = [[p.id], nodes.filter((n) => n.id !== p.id).map((n) => n.id)]; event('partition-set', p.id) },
    partition: (p: { groups: number[][] }) => { needCluster(); partition = p.groups; event('partition-set') },
    heal: () => { needCluster(); partition = null; faults.clear(); event('healed') },
    setLinkFaults: (p: LinkFaultsSpec) => {
      needCluster()
      for (const k of [`${p.from}-${p.to}`, `${p.to}-${p.from}`]) faults.set(k, { dropRate: p.dropRate ?? 0, delayMs: p.delayMs ?? 0 })
    },
    addNode: () => { needCluster(); const n = newNode(nextId++); nodes.push(n); event('node-added', n.id); event('conf-change', n.id, { change: 'add' }); return { id: n.id } },
    removeNode: (p: NodeRef) => { find(p); nodes = nodes.filter((n) => n.id !== p.id); event('node-removed', p.id) },
    transferLeader: (p: NodeRef) => {
      const n = find(p)
      const old = leaderNode()
      if (old === undefined || !up(n)) throw new FakeControlError('NODE_NOT_RUNNING', 'no leader or target down')
      const term = old.term + 1
      for (const m of nodes) if (up(m)) Object.assign(m, { term, leader: n.id, vote: n.id, role: m.id === n.id ? 'leader' : 'follower' })
      event('leader-changed', n.id, { term })
    },
    get: (p: { key: string }) => { leaderForKv(); return kv.get(p.key) ?? null },
    put: (p: { key: string; value: string }) => { leaderForKv(); kv.set(p.key, p.value) },
    delete: (p: { key: string }) => { leaderForKv(); kv.delete(p.key) },
    scan: (p: { start: string; end: string; limit?: number }) => {
      leaderForKv()
      const out: KeyValue[] = [...kv].filter(([k]) => k >= p.start && (p.end === '' || k < p.end)).sort().map(([key, value]) => ({ key, value }))
      return out.slice(0, p.limit ?? 100)
    },
    status: () => view(),
    events: (p?: { sinceSeq?: number }) => events.filter((e) => e.seq > (p?.sinceSeq ?? 0)),
    logs: () => [],
    timeline: () => [],
  }

  const api = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(impl)) {
    api[name] = async (p?: unknown) => {
      calls.push(p !== null && typeof p === 'object' && 'id' in p ? `${name}:${String((p as NodeRef).id)}` : name)
      const failure = failures.get(name)
      if (failure !== undefined) {
        failures.delete(name)
        throw failure
      }
      return fn(p as never)
    }
  }
  for (const name of ['startWorkload', 'stopWorkload', 'checkHistory', 'exportBundle']) {
    api[name] = async () => { throw new FakeControlError('NOT_SUPPORTED', 'not simulated') }
  }
  Object.assign(api, {
    subscribe(topic: Topic, listener: (p: never) => void) {
      let set = listeners.get(topic)
      if (!set) listeners.set(topic, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    },
    onConnection(listener: (s: ConnectionState) => void) {
      connectionListeners.add(listener)
      listener(connection)
      return () => connectionListeners.delete(listener)
    },
    onMenu: () => () => undefined,
    close: () => undefined,
  })

  if (options.launched) launch(options.nodes ?? 3)

  return {
    api: api as unknown as DashboardApi,
    calls,
    tick() {
      step()
      if (mode !== 'none') emit('status', view())
    },
    failNext(method, error) {
      failures.set(method, error)
    },
    view,
    setConnection(state) {
      connection = state
      for (const l of connectionListeners) l(state)
    },
  }
}
