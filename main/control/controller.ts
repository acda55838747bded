// The Controller: the control API (types.ts) in process. Every call is validated first
// (validate.ts; a rejected call changes nothing), calls on one node are serialized, and
// the work goes to the Supervisor (local processes), the observer (the merged view) and
// the nodes' /admin (faults, membership). What callers see of the cluster comes from the
// `status`, `event` and `log` notifications.
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AdminClient, ClientError, RaftKvClient } from '../../raftkv/client/index.js'
import { ControlError } from './errors.js'
import type {
  AttachSpec, ClusterEvent, ClusterEventKind, ClusterView, ControlApi, EventsQuery, FaultsInfo, KeyValue,
  LogLine, LogsQuery, NodeRef, NotificationMap, TimelineQuery, TimelineSample, Topic, Unsubscribe, Verdict,
  WorkloadNotification,
} from './types.js'
import * as v from './validate.js'
import { EventLog } from '../observe/event-log.js'
import { LogStore } from '../observe/log-store.js'
import { Timeline } from '../observe/timeline.js'
import { emptyView } from '../observe/cluster-view.js'
import { eventOfLine } from '../observe/node-events.js'
import { ClusterObserver, EXTERNAL_PROCESS, type ObservedMember } from '../observe/observer.js'
import { Supervisor, type ResolvedSpec } from '../supervisor/supervisor.js'
import { plainNodeCommand, type LaunchCommand } from '../supervisor/launch-command.js'
import { SerialQueue } from '../supervisor/serial-queue.js'
import { withLeader } from '../supervisor/leader-admin.js'
import { applyFaults } from '../faults/apply-faults.js'
import { isClean, faultsFor, linkKey, noFaultState, type FaultState } from '../faults/fault-plan.js'
import { checkOffThread, DEFAULT_CHECK_BUDGET_MS, WorkloadRunner, type WorkloadCluster } from '../workload/index.js'
import { runtimeVersions, writeBundle, type NodeLogSource } from '../export/index.js'

export interface ControllerOptions {
  /** How node processes start (default: plain node on out/node's built entry). */
  launchCommand?: LaunchCommand
  /** Parent of the default cluster folders (default: <tmpdir>/raftkv-manager). */
  appDataDir?: string
  /** Fixed cluster token (tests); default a fresh one per cluster. */
  token?: string
  /** More flags for every node (tests). */
  extraNodeArgs?: string[]
  /** Status publication period (default 150 ms: about 6 Hz, so that a loaded machine still gives ≥ 4). */
  publishIntervalMs?: number
  /** Each node's /admin watch period (default 100 ms). */
  watchIntervalMs?: number
  readyTimeoutMs?: number
  /** Timeline samples at most this often (default 500 ms). */
  timelineEveryMs?: number
  /**
   * false: no /admin status streams (the view has no statuses, and calls that need the
   * leader time out). For tests that count a node's streams and connections exactly.
   */
  observeStatus?: boolean
  /** Every node line as it is read, unbatched (in-process users: the test harness). */
  onLine?: (line: LogLine) => void
}

const LEADER_WAIT_MS = 10_000

interface Attached {
  token: string
  members: Map<number, string>
}

export class Controller implements ControlApi {
  private mode: 'none' | 'local' | 'attached' = 'none'
  private busy = false
  private sup: Supervisor | undefined
  private attached: Attached | undefined
  private observer: ClusterObserver | undefined
  private faults: FaultState = noFaultState()
  private kv: { key: string; client: RaftKvClient } | undefined
  private lastTimelineMs = 0
  private readonly queue = new SerialQueue()
  private readonly eventLog = new EventLog()
  private readonly logStore = new LogStore()
  private readonly timelineStore = new Timeline()
  private readonly statusListeners = new Set<(v: ClusterView) => void>()
  private readonly workloadListeners = new Set<(w: WorkloadNotification) => void>()
  private runner: WorkloadRunner | undefined
  /** The session's folder: the cluster's own (local) or one under the app's data folder (attached). */
  private sessionDir: string | undefined
  private sessionStartedMs = 0

  constructor(private readonly opts: ControllerOptions = {}) {}

  // ------------------------------------------------------------------------------------
  // Cluster lifecycle

  async launch(spec?: unknown): Promise<ClusterView> {
    const s = v.validateLaunch(spec)
    this.claim()
    try {
      const resolved: ResolvedSpec = {
        nodes: s.nodes ?? 3, dataDir: s.dataDir, basePort: s.basePort, tickMs: s.tickMs ?? 100, electionTick: s.electionTick ?? 10,
        heartbeatTick: s.heartbeatTick ?? 2, gcCountLimit: s.gcCountLimit ?? 1000, snapshotChunkBytes: s.snapshotChunkBytes,
        snapshotRateLimitMiBps: s.snapshotRateLimitMiBps,
      }
      const launch = this.opts.launchCommand ?? plainNodeCommand()
      this.logStore.clear()
      this.timelineStore.clear()
      this.faults = noFaultState()
      const sup = await Supervisor.launch(resolved, {
        launch, appDataDir: this.opts.appDataDir ?? join(tmpdir(), 'raftkv-manager'),
        ...(this.opts.token === undefined ? {} : { token: this.opts.token }),
        ...(this.opts.extraNodeArgs === undefined ? {} : { extraNodeArgs: this.opts.extraNodeArgs }),
        ...(this.opts.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.opts.readyTimeoutMs }),
        hooks: {
          dir: (dir) => {
            this.eventLog.setFile(dir.eventsFile)
            this.timelineStore.setFile(dir.timelineFile)
          },
          event: (kind, node, detail) => this.emit(kind, node, detail),
          line: (line) => this.onLine(line),
        },
      })
      this.sup = sup
      this.mode = 'local'
      this.openSession(sup.dir.root)
      this.startObserver('local', sup.token)
      this.emit('cluster-launched', undefined, { nodes: resolved.nodes, dataDir: sup.dir.root, endpoints: sup.members().map((m) => m.addr) })
      // Every node is ready; give the first election a moment so the view has a leader.
      if (this.opts.observeStatus !== false) await this.observer!.waitFor((view) => view.leader !== 0 && view.nodes.every((n) => n.status !== null), 5000)
      return this.observer!.publishNow()
    } catch (e) {
      this.mode = 'none'
      this.sup = undefined
      throw e
    } finally {
      this.busy = false
    }
  }

  async shutdown(): Promise<void> {
    this.requireLocal('shutdown')
    await this.queue.run('cluster', async () => {
      const sup = this.sup!
      await this.closeSession()
      this.stopObserver()
      await sup.shutdown()
      this.emit('cluster-shutdown', undefined, { dataDir: sup.dir.root })
      this.sup = undefined
      this.mode = 'none'
      await this.closeKv()
      await this.eventLog.close()
      await this.timelineStore.close()
      this.logStore.close()
      this.publish(emptyView())
    })
  }

  async attach(spec: unknown): Promise<ClusterView> {
    const s = v.validateAttach(spec)
    this.claim()
    try {
      const members = await discover(s)
      this.attached = { token: s.token, members }
      this.mode = 'attached'
      const parent = this.opts.appDataDir ?? join(tmpdir(), 'raftkv-manager')
      mkdirSync(parent, { recursive: true })
      this.openSession(mkdtempSync(join(parent, 'attached-')))
      this.faults = noFaultState()
      this.eventLog.setFile(null)
      this.timelineStore.setFile(null)
      this.logStore.clear()
      this.timelineStore.clear()
      this.startObserver('attached', s.token)
      this.emit('cluster-attached', undefined, { endpoints: s.endpoints, members: [...members.keys()] })
      await this.observer!.waitFor((view) => view.nodes.some((n) => n.status !== null), 3000)
      return this.observer!.publishNow()
    } catch (e) {
      this.mode = 'none'
      this.attached = undefined
      throw e
    } finally {
      this.busy = false
    }
  }

  async detach(): Promise<void> {
    if (this.mode === 'none') throw new ControlError('NO_CLUSTER', 'no cluster is attached')
    if (this.mode === 'local') throw new ControlError('NOT_SUPPORTED', 'this cluster was launched here: use shutdown')
    await this.closeSession()
    this.stopObserver()
    this.attached = undefined
    this.mode = 'none'
    await this.closeKv()
    this.publish(emptyView())
  }

  // ------------------------------------------------------------------------------------
  // Processes

  async kill(p: unknown): Promise<void> {
    const { id } = this.localNode(p, 'kill')
    await this.onNode(id, () => this.sup!.kill(id))
  }

  async stop(p: unknown): Promise<void> {
    const { id } = this.localNode(p, 'stop')
    await this.onNode(id, () => this.sup!.stop(id))
  }

  async start(p: unknown): Promise<void> {
    const { id } = this.localNode(p, 'start')
    await this.onNode(id, async () => {
      await this.sup!.start(id)
      await this.reapplyFaults(id)
    })
  }

  async restart(p: unknown): Promise<void> {
    const { id } = this.localNode(p, 'restart')
    await this.onNode(id, async () => {
      await this.sup!.restart(id)
      await this.reapplyFaults(id)
    })
  }

  async pause(p: unknown): Promise<void> {
    const { id } = this.localNode(p, 'pause')
    await this.onNode(id, async () => this.sup!.pause(id))
  }

  async resume(p: unknown): Promise<void> {
    const { id } = this.localNode(p, 'resume')
    await this.onNode(id, async () => this.sup!.resume(id))
  }

  // ------------------------------------------------------------------------------------
  // Faults

  async partition(p: unknown): Promise<void> {
    const spec = v.validatePartition(p)
    const ids = this.memberIds('partition')
    for (const g of spec.groups) for (const id of g) if (!ids.includes(id)) throw new ControlError('UNKNOWN_NODE', `partition: no node ${id} in this cluster`)
    const named = spec.groups.flat()
    const missing = ids.filter((id) => !named.includes(id))
    if (missing.length > 0) throw new ControlError('BAD_ARGUMENT', `partition: every node must be in a group; missing ${missing.join(', ')}`)
    await this.setFaultState({ ...this.faults, partition: spec.groups }, 'partition-set', { groups: spec.groups })
  }

  async isolate(p: unknown): Promise<void> {
    const { id } = v.validateNodeRef(p, 'isolate')
    const ids = this.memberIds('isolate')
    if (!ids.includes(id)) throw new ControlError('UNKNOWN_NODE', `isolate: no node ${id} in this cluster`)
    if (ids.length < 2) throw new ControlError('BAD_ARGUMENT', 'isolate: a one-node cluster has nobody to be cut off from')
    const groups = [[id], ids.filter((x) => x !== id)]
    await this.setFaultState({ ...this.faults, partition: groups }, 'partition-set', { groups, isolated: id })
  }

  async heal(): Promise<void> {
    this.memberIds('heal')
    await this.setFaultState(noFaultState(), 'healed', {})
  }

  async setLinkFaults(p: unknown): Promise<void> {
    const spec = v.validateLinkFaults(p)
    const ids = this.memberIds('setLinkFaults')
    for (const id of [spec.from, spec.to]) if (!ids.includes(id)) throw new ControlError('UNKNOWN_NODE', `setLinkFaults: no node ${id} in this cluster`)
    const f = { dropRate: spec.dropRate ?? 0, delayMs: spec.delayMs ?? 0, jitterMs: spec.jitterMs ?? 0 }
    const links = new Map(this.faults.links)
    const pairs: [number, number][] = spec.oneWay ? [[spec.from, spec.to]] : [[spec.from, spec.to], [spec.to, spec.from]]
    for (const [a, b] of pairs) {
      if (f.dropRate === 0 && f.delayMs === 0 && f.jitterMs === 0) links.delete(linkKey(a, b))
      else links.set(linkKey(a, b), f)
    }
    await this.setFaultState({ ...this.faults, links }, 'link-faults-set', { from: spec.from, to: spec.to, ...f, oneWay: spec.oneWay === true })
  }

  // ------------------------------------------------------------------------------------
  // Membership

  async addNode(p?: unknown): Promise<NodeRef> {
    v.validateNoParams(p, 'addNode')
    this.requireLocal('addNode')
    return this.queue.run('cluster', async () => {
      const sup = this.sup!
      await this.waitLeader('addNode')
      const id = await sup.addProcess()
      const addr = sup.addrOf(id)!
      try {
        await withLeader(this.leaderSource(), sup.token, `addNode ${id}`, LEADER_WAIT_MS, (admin) => admin.changePeer('add', id, addr))
      } catch (e) {
        await sup.dropProcess(id)
        throw e
      }
      await this.reapplyFaults(id)
      this.emit('node-added', id, { addr })
      this.observer?.publishNow()
      return { id }
    })
  }

  async removeNode(p: unknown): Promise<void> {
    const { id } = v.validateNodeRef(p, 'removeNode')
    const ids = this.memberIds('removeNode')
    if (!ids.includes(id)) throw new ControlError('UNKNOWN_NODE', `removeNode: no node ${id} in this cluster`)
    if (ids.length === 1) throw new ControlError('BAD_ARGUMENT', 'removeNode: the last member cannot be removed')
    await this.queue.run('cluster', () => this.onNode(id, async () => {
      await withLeader(this.leaderSource(), this.token(), `removeNode ${id}`, LEADER_WAIT_MS, (admin) => admin.changePeer('remove', id))
      if (this.mode === 'local') await this.sup!.dropProcess(id)
      else this.attached!.members.delete(id)
      const links = new Map([...this.faults.links].filter(([k]) => !k.split('>').map(Number).includes(id)))
      const partition = this.faults.partition?.map((g) => g.filter((x) => x !== id)).filter((g) => g.length > 0) ?? null
      this.faults = { partition: partition !== null && partition.length > 1 ? partition : null, links }
      this.emit('node-removed', id, {})
    }))
  }

  async transferLeader(p: unknown): Promise<void> {
    const { id } = v.validateNodeRef(p, 'transferLeader')
    const ids = this.memberIds('transferLeader')
    if (!ids.includes(id)) throw new ControlError('UNKNOWN_NODE', `transferLeader: no node ${id} in this cluster`)
    await this.queue.run('cluster', async () => {
      await this.waitLeader('transferLeader')
      const deadline = Date.now() + LEADER_WAIT_MS
      while (Date.now() < deadline) {
        if (this.observer!.view().leader === id) return
        await withLeader(this.leaderSource(), this.token(), `transferLeader ${id}`, Math.max(1000, deadline - Date.now()), (admin) => admin.transferLeader(id))
        if (await this.observer!.waitFor((view) => view.leader === id, Math.min(3000, Math.max(0, deadline - Date.now())))) return
      }
      throw new ControlError('TIMEOUT', `transferLeader: node ${id} did not take the lead within ${LEADER_WAIT_MS} ms`)
    })
  }

  // ------------------------------------------------------------------------------------
  // Keys and values

  async get(p: unknown): Promise<string | null> {
    const k = v.validateKey(p, 'get')
    const client = this.kvClient('get')
    const value = await kvCall(() => client.get(v.decodeBytes(k.key, k.encoding, 'key')))
    return value === null ? null : encodeOut(value, k.encoding)
  }

  async put(p: unknown): Promise<void> {
    const k = v.validatePut(p)
    const client = this.kvClient('put')
    await kvCall(() => client.put(v.decodeBytes(k.key, k.encoding, 'key'), v.decodeBytes(k.value, k.encoding, 'value')))
  }

  async delete(p: unknown): Promise<void> {
    const k = v.validateKey(p, 'delete')
    const client = this.kvClient('delete')
    await kvCall(() => client.delete(v.decodeBytes(k.key, k.encoding, 'key')))
  }

  async scan(p: unknown): Promise<KeyValue[]> {
    const s = v.validateScan(p)
    const client = this.kvClient('scan')
    const r = await kvCall(() => client.scan(v.decodeBytes(s.start, s.encoding, 'start'), v.decodeBytes(s.end, s.encoding, 'end'), s.limit === undefined ? {} : { limit: s.limit }))
    return r.pairs.map((kv) => ({ key: encodeOut(kv.key, s.encoding), value: encodeOut(kv.value, s.encoding) }))
  }

  // ------------------------------------------------------------------------------------
  // Workloads, history checks and export: built in main/workload, raftkv/check, main/export.

  async startWorkload(p: unknown): Promise<{ runId: string }> {
    const spec = v.validateWorkload(p)
    this.memberIds('startWorkload')
    return this.runner!.start(spec)
  }

  async stopWorkload(p?: unknown): Promise<void> {
    v.validateNoParams(p, 'stopWorkload')
    this.memberIds('stopWorkload')
    await this.runner!.stop()
  }

  async checkHistory(p: unknown): Promise<Verdict> {
    // On a thread of its own: parsing and searching may take seconds (check-off-thread.ts).
    return checkOffThread({ kind: 'ndjson', ndjson: v.validateHistory(p).ndjson, timeBudgetMs: DEFAULT_CHECK_BUDGET_MS })
  }

  async exportBundle(p?: unknown): Promise<{ path: string; bytes: number }> {
    const { path } = v.validateExport(p)
    this.memberIds('exportBundle')
    const dir = this.sessionDir!
    const token = this.token()
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    const local = this.mode === 'local' ? this.sup : undefined
    await Promise.all([this.eventLog.flush(), this.timelineStore.flush(), local?.flushLogs()])
    let nodeLogs: NodeLogSource[]
    if (local !== undefined) {
      // Every node that ever ran in this cluster, removed ones included: logs/n<id>.log.
      const logsDir = join(local.dir.root, 'logs')
      nodeLogs = (existsSync(logsDir) ? readdirSync(logsDir) : []).flatMap((f) => {
        const m = /^n(\d+)\.log$/.exec(f)
        return m === null ? [] : [{ id: Number(m[1]), source: { file: join(logsDir, f) } }]
      })
    } else {
      // An attached cluster's nodes print elsewhere: nothing of theirs reaches us.
      nodeLogs = []
    }
    return writeBundle({
      path: path ?? join(dir, `raftkv-bundle-${stamp}.tar.gz`),
      secrets: [token],
      manifest: {
        versions: runtimeVersions(),
        mode: this.mode,
        spec: local?.spec ?? null,
        nodes: this.members().map((m) => ({ id: m.id, addr: m.addr })),
        times: { startedMs: this.sessionStartedMs, exportedMs: Date.now() },
        token,
      },
      nodeLogs,
      events: local !== undefined ? { file: local.dir.eventsFile } : { records: this.eventLog.since(0) },
      timeline: local !== undefined ? { file: local.dir.timelineFile } : { records: await this.timelineStore.query() },
      workloadsDir: join(dir, 'workloads'),
    })
  }

  // ------------------------------------------------------------------------------------
  // Observation

  async status(): Promise<ClusterView> {
    return this.observer?.view() ?? emptyView()
  }

  async events(p?: unknown): Promise<ClusterEvent[]> {
    const q: EventsQuery = v.validateEvents(p)
    return this.eventLog.since(q.sinceSeq)
  }

  async logs(p?: unknown): Promise<LogLine[]> {
    const q: LogsQuery = v.validateLogs(p)
    return this.logStore.query(q)
  }

  async timeline(p?: unknown): Promise<TimelineSample[]> {
    const q: TimelineQuery = v.validateTimeline(p)
    return this.timelineStore.query(q.fromMs, q.toMs)
  }

  subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void): Unsubscribe {
    switch (topic) {
      case 'status': {
        const l = listener as (v: ClusterView) => void
        this.statusListeners.add(l)
        return () => { this.statusListeners.delete(l) }
      }
      case 'event': {
        const off = this.eventLog.subscribe(listener as (e: ClusterEvent) => void)
        return () => { off() }
      }
      case 'log': {
        const off = this.logStore.subscribe(listener as (l: LogLine[]) => void)
        return () => { off() }
      }
      case 'workload': {
        const l = listener as (w: WorkloadNotification) => void
        this.workloadListeners.add(l)
        return () => { this.workloadListeners.delete(l) }
      }
      default:
        throw new ControlError('BAD_ARGUMENT', `subscribe: unknown topic ${JSON.stringify(topic) ?? String(topic)}`)
    }
  }

  // ------------------------------------------------------------------------------------
  // For the in-process users (tests, the harness, bench): facts the API does not carry.

  /** The cluster's token (never sent to a renderer). */
  get clusterToken(): string | undefined {
    return this.sup?.token ?? this.attached?.token
  }

  /** The Supervisor of the local cluster (in-process users: the test harness, benchmarks). */
  get supervisor(): Supervisor | undefined {
    return this.sup
  }

  /** The cluster's folder (local mode). */
  get dataDir(): string | undefined {
    return this.sup?.dir.root
  }

  /** pids of the node processes running now (local mode). */
  nodePids(): number[] {
    return (this.sup?.members() ?? []).map((m) => m.process.pid).filter((p): p is number => p !== null && p > 0)
  }

  // ------------------------------------------------------------------------------------

  private claim(): void {
    if (this.busy || this.mode !== 'none') throw new ControlError('CLUSTER_RUNNING', `a cluster is already ${this.busy ? 'starting' : this.mode === 'local' ? 'running' : 'attached'}`)
    this.busy = true
  }

  private requireLocal(what: string): void {
    if (this.mode === 'none') throw new ControlError('NO_CLUSTER', `${what}: no cluster is running`)
    if (this.mode === 'attached') throw new ControlError('NOT_SUPPORTED', `${what}: the attached cluster's processes are not ours`)
  }

  private localNode(p: unknown, what: string): NodeRef {
    const ref = v.validateNodeRef(p, what)
    this.requireLocal(what)
    if (!this.sup!.has(ref.id)) throw new ControlError('UNKNOWN_NODE', `${what}: no node ${ref.id} in this cluster`)
    return ref
  }

  private memberIds(what: string): number[] {
    if (this.mode === 'none') throw new ControlError('NO_CLUSTER', `${what}: no cluster is running`)
    return this.members().map((m) => m.id)
  }

  private members(): ObservedMember[] {
    if (this.mode === 'local' && this.sup) return this.sup.members()
    if (this.mode === 'attached' && this.attached) return [...this.attached.members].map(([id, addr]) => ({ id, addr, process: EXTERNAL_PROCESS }))
    return []
  }

  private token(): string {
    return this.sup?.token ?? this.attached!.token
  }

  private async onNode<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const r = await this.queue.run(`node:${id}`, fn)
    this.observer?.publishNow()
    return r
  }

  private startObserver(mode: 'local' | 'attached', token: string): void {
    this.observer = new ClusterObserver({
      mode, token, watch: this.opts.observeStatus !== false,
      members: () => this.members(),
      partition: () => this.faults.partition,
      workload: () => this.runner?.view() ?? null,
      event: (kind, node, detail, term) => this.emit(kind, node, detail, term),
      publish: (view) => this.publish(view),
      ...(this.opts.publishIntervalMs === undefined ? {} : { publishIntervalMs: this.opts.publishIntervalMs }),
      ...(this.opts.watchIntervalMs === undefined ? {} : { watchIntervalMs: this.opts.watchIntervalMs }),
    })
  }

  /** Workloads and exports of this cluster live under dir. */
  private openSession(dir: string): void {
    this.sessionDir = dir
    this.sessionStartedMs = Date.now()
    // The nemesis goes through the API like any caller: validated, serialized, evented.
    const cluster: WorkloadCluster = {
      connection: () => ({ endpoints: this.members().map((m) => m.addr), token: this.token() }),
      status: () => this.status(),
      kill: (p) => this.kill(p),
      start: (p) => this.start(p),
      pause: (p) => this.pause(p),
      resume: (p) => this.resume(p),
      partition: (p) => this.partition(p),
      isolate: (p) => this.isolate(p),
      heal: () => this.heal(),
    }
    this.runner = new WorkloadRunner({
      cluster, dir: join(dir, 'workloads'),
      onNotification: (n) => {
        for (const l of this.workloadListeners) {
          try {
            l(n)
          } catch {
            // a listener's failure is its own
          }
        }
        this.observer?.publishNow()
      },
      onEvent: (kind, detail) => this.emit(kind, undefined, detail),
    })
  }

  /** A running workload ends (its history is still checked) before the cluster goes. */
  private async closeSession(): Promise<void> {
    await this.runner?.close()
    this.runner = undefined
  }

  private stopObserver(): void {
    this.observer?.close()
    this.observer = undefined
  }

  private publish(view: ClusterView): void {
    if (view.mode !== 'none' && view.timeMs - this.lastTimelineMs >= (this.opts.timelineEveryMs ?? 500)) {
      this.lastTimelineMs = view.timeMs
      this.timelineStore.record(view)
    }
    for (const l of this.statusListeners) {
      try {
        l(view)
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private emit(kind: ClusterEventKind, node: number | undefined, detail: Record<string, unknown>, term?: number): void {
    this.eventLog.add(kind, node, detail, term)
  }

  private onLine(line: LogLine): void {
    this.opts.onLine?.(line)
    this.logStore.add(line)
    const e = eventOfLine(line)
    if (e) this.emit(e.kind, line.node, e.detail, e.term)
  }

  private leaderSource(): { leader(): { id: number; addr: string } | undefined } {
    return {
      leader: () => {
        const view = this.observer?.view()
        const lead = view?.nodes.find((n) => n.id === view.leader)
        return lead ? { id: lead.id, addr: lead.addr } : undefined
      },
    }
  }

  private async waitLeader(what: string): Promise<void> {
    if (!(await this.observer!.waitFor((view) => view.leader !== 0, LEADER_WAIT_MS))) {
      throw new ControlError('TIMEOUT', `${what}: no leader within ${LEADER_WAIT_MS} ms`)
    }
  }

  private async setFaultState(next: FaultState, kind: ClusterEventKind, detail: Record<string, unknown>): Promise<void> {
    await this.queue.run('faults', async () => {
      this.faults = next
      const members = this.members()
      const ids = members.map((m) => m.id)
      const targets = members.filter((m) => m.process.state === 'running' || m.process.state === 'external')
      this.noteFaults(await applyFaults(targets, ids, next, this.token()))
      this.emit(kind, undefined, detail)
      this.observer?.publishNow()
    })
  }

  /** A node that (re)started has no filters: give it what the fault state says. */
  private async reapplyFaults(id: number): Promise<void> {
    const members = this.members()
    const ids = members.map((m) => m.id)
    if (isClean(faultsFor(id, ids, this.faults)) && this.faults.partition === null) return
    const target = members.find((m) => m.id === id)
    // The others block the newcomer too: every running node gets the current plan.
    if (target) this.noteFaults(await applyFaults(members.filter((m) => m.process.state === 'running'), ids, this.faults, this.token()))
  }

  private noteFaults(inForce: Map<number, FaultsInfo>): void {
    for (const [id, f] of inForce) this.observer?.noteFaults(id, f)
  }

  private kvClient(what: string): RaftKvClient {
    const members = this.members()
    if (members.length === 0) throw new ControlError('NO_CLUSTER', `${what}: no cluster is running`)
    const key = members.map((m) => m.addr).join(',')
    if (this.kv?.key !== key) {
      void this.kv?.client.close()
      this.kv = { key, client: new RaftKvClient({ endpoints: members.map((m) => m.addr), token: this.token(), timeoutMs: 5000 }) }
    }
    return this.kv.client
  }

  private async closeKv(): Promise<void> {
    const kv = this.kv
    this.kv = undefined
    await kv?.client.close()
  }
}

async function kvCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof ClientError) throw new ControlError('KV_ERROR', e.message, e.code)
    throw e
  }
}

function encodeOut(b: Buffer, enc: 'utf8' | 'base64' | undefined): string {
  return enc === 'base64' ? b.toString('base64') : b.toString('utf8')
}

/** The members of a cluster we did not start, from the status of the nodes named. */
async function discover(s: AttachSpec): Promise<Map<number, string>> {
  const members = new Map<number, string>()
  const errors: string[] = []
  let unauthorized = false
  await Promise.all(s.endpoints.map(async (endpoint) => {
    const admin = new AdminClient({ endpoint, token: s.token, timeoutMs: 3000 })
    try {
      const st = await admin.status()
      members.set(st.id, endpoint)
      for (const m of st.members) if (!members.has(m.id)) members.set(m.id, m.addr)
    } catch (e) {
      if (!(e instanceof ClientError)) throw e
      if (e.message.includes('UNAUTHORIZED') || e.message.includes('401')) unauthorized = true
      errors.push(`${endpoint}: ${e.message}`)
    } finally {
      await admin.close()
    }
  }))
  if (members.size === 0) {
    throw new ControlError(unauthorized ? 'UNAUTHORIZED' : 'TIMEOUT', `attach: no node answered: ${errors.join('; ')}`)
  }
  return new Map([...members].sort((a, b) => a[0] - b[0]))
}
