// One /admin status stream per node, merged into a ClusterView that is published every
// publishIntervalMs (≥ 4 Hz) while a cluster is up. A node whose status is older than
// staleMs (paused, dead, cut off from us) shows status null.
import { AdminClient } from '../../raftkv/client/index.js'
import type { ClusterEventKind, ClusterView, FaultsInfo, NodeStatusInfo, NodeView, ProcessInfo, WorkloadView } from '../control/types.js'
import { buildView } from './cluster-view.js'
import { LinkRates } from './link-rates.js'
import { statusEvents } from './status-events.js'

export interface ObservedMember {
  id: number
  addr: string
  process: ProcessInfo
}

export interface ObserverOptions {
  mode: 'local' | 'attached'
  token: string
  members: () => ObservedMember[]
  partition: () => number[][] | null
  workload: () => WorkloadView | null
  event: (kind: ClusterEventKind, node: number | undefined, detail: Record<string, unknown>, term?: number) => void
  publish: (view: ClusterView) => void
  watchIntervalMs?: number
  /** false: keep no status stream open (statuses stay null); for tests that count a node's streams. */
  watch?: boolean
  publishIntervalMs?: number
  staleMs?: number
}

interface Watch {
  addr: string
  client: AdminClient
  status: NodeStatusInfo | null
  seenMs: number
}

const EXTERNAL: ProcessInfo = { state: 'external', pid: null, exitCode: null, signal: null, restarts: 0 }
export { EXTERNAL as EXTERNAL_PROCESS }

export class ClusterObserver {
  private readonly watches = new Map<number, Watch>()
  private readonly rates = new LinkRates()
  private readonly timer: NodeJS.Timeout
  private last: ClusterView | undefined
  private closed = false

  constructor(private readonly opts: ObserverOptions) {
    this.sync()
    this.timer = setInterval(() => this.tick(), opts.publishIntervalMs ?? 150)
  }

  /** The view as of now. */
  view(): ClusterView {
    const now = Date.now()
    const stale = this.opts.staleMs ?? 1000
    const nodes: NodeView[] = this.opts.members().map((m) => {
      const w = this.watches.get(m.id)
      const live = m.process.state === 'running' || m.process.state === 'external' || m.process.state === 'starting'
      const fresh = w !== undefined && w.status !== null && live && now - w.seenMs <= stale
      return { id: m.id, addr: m.addr, process: m.process, status: fresh ? w.status : null, lastSeenMs: w?.seenMs ?? 0 }
    })
    return buildView(this.opts.mode, nodes, this.opts.partition(), this.rates, this.opts.workload(), now)
  }

  /** The newest status of a node (also when stale), for callers that need its fields. */
  statusOf(id: number): NodeStatusInfo | null {
    return this.watches.get(id)?.status ?? null
  }

  /** A node answered that these filters are in force: the view shows them before its next status arrives. */
  noteFaults(id: number, faults: FaultsInfo): void {
    const w = this.watches.get(id)
    if (w?.status) w.status = { ...w.status, faults }
  }

  /** Publishes now (after an action, so that its effect shows without waiting for the tick). */
  publishNow(): ClusterView {
    return this.tick()
  }

  /** Polls the view until pred holds; false at the deadline. */
  async waitFor(pred: (v: ClusterView) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (pred(this.view())) return true
      if (Date.now() >= deadline || this.closed) return false
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    for (const w of this.watches.values()) void w.client.close()
    this.watches.clear()
  }

  private tick(): ClusterView {
    this.sync()
    const view = this.view()
    if (this.last) {
      for (const e of statusEvents(this.last, view, this.opts.mode === 'attached')) this.opts.event(e.kind, e.node, e.detail, e.term)
    }
    this.last = view
    if (!this.closed) this.opts.publish(view)
    return view
  }

  /** One watch per member: new members get one, removed ones lose theirs. */
  private sync(): void {
    if (this.closed || this.opts.watch === false) return
    const members = this.opts.members()
    const ids = new Set(members.map((m) => m.id))
    for (const [id, w] of this.watches) {
      if (ids.has(id)) continue
      void w.client.close()
      this.watches.delete(id)
      this.rates.forget(id)
    }
    for (const m of members) {
      const w = this.watches.get(m.id)
      if (w && w.addr === m.addr) continue
      if (w) void w.client.close()
      const client = new AdminClient({ endpoint: m.addr, token: this.opts.token, timeoutMs: 2000, backoff: { baseMs: 100, capMs: 500 } })
      const watch: Watch = { addr: m.addr, client, status: null, seenMs: 0 }
      this.watches.set(m.id, watch)
      client.watchStatus(this.opts.watchIntervalMs ?? 100, (s) => {
        const now = Date.now()
        watch.status = s
        watch.seenMs = now
        this.rates.update(m.id, s, now)
      }, () => { /* reconnects with backoff; the status goes stale meanwhile */ })
    }
  }
}
