// A local cluster of real node processes for the end-to-end tests and the benchmarks: a
// thin adapter over the Supervisor (main/control's Controller), so that the codebase has
// one way to run a cluster. Ephemeral ports on 127.0.0.1, one temp folder, JSON log lines
// captured per node, every process stopped in stop().
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AdminClient, RaftKvClient, type NodeStatusInfo } from '../../raftkv/client/index.js'
import { Controller } from '../../main/control/controller.js'
import { plainNodeCommand } from '../../main/supervisor/launch-command.js'
import { LEVEL_RANK } from '../../main/observe/log-line.js'
import type { Supervisor } from '../../main/supervisor/supervisor.js'

export interface ClusterOptions {
  size?: number
  tickMs?: number
  electionTick?: number
  heartbeatTick?: number
  token?: string
  extraArgs?: string[]
  /** Flags for the node processes' Node.js itself (e.g. --cpu-prof). */
  nodeFlags?: string[]
}

export interface NodeProc {
  id: number
  addr: string
  dataDir: string
  /** The running process (its pid; kill sends it a signal behind the Supervisor's back), undefined when none runs. */
  proc: { pid: number; kill(signal?: NodeJS.Signals): boolean } | undefined
  logs: Record<string, unknown>[]
  /** Resolves with the exit code of the node's current (or last) process. */
  exited: Promise<number | null> | undefined
}

export class LocalCluster {
  readonly token: string
  readonly nodes = new Map<number, NodeProc>()
  readonly root: string
  /** The control API driving this cluster (for tests of the Supervisor itself). */
  readonly control: Controller
  private readonly logs = new Map<number, Record<string, unknown>[]>()

  private constructor(opts: ClusterOptions) {
    this.token = opts.token ?? 'test-token-0123456789'
    this.root = mkdtempSync(join(tmpdir(), 'raftkv-e2e-'))
    this.control = new Controller({
      token: this.token,
      launchCommand: plainNodeCommand(opts.nodeFlags ?? []),
      extraNodeArgs: opts.extraArgs ?? [],
      // The harness reads statuses itself, and tests count a node's /admin streams and
      // connections exactly: the Supervisor keeps none open here (LocalCluster.control
      // has processes, faults and KV, but no statuses in its view).
      observeStatus: false, publishIntervalMs: 500,
      // The node's pino record as it printed it (numeric level).
      onLine: (l) => this.logsFor(l.node).push({ level: LEVEL_RANK[l.level], time: l.timeMs, msg: l.msg, ...l.fields }),
    })
  }

  /** Starts a cluster and waits until every node is ready and a leader is elected. */
  static async start(opts: ClusterOptions = {}): Promise<LocalCluster> {
    const c = new LocalCluster(opts)
    try {
      await c.control.launch({
        nodes: opts.size ?? 3, dataDir: join(c.root, 'cluster'), tickMs: opts.tickMs ?? 50,
        electionTick: opts.electionTick ?? 10, heartbeatTick: opts.heartbeatTick ?? 2,
      })
      for (const m of c.sup.members()) c.track(m.id)
      await c.waitForLeader()
    } catch (e) {
      await c.stop()
      throw e
    }
    return c
  }

  private get sup(): Supervisor {
    const s = this.control.supervisor
    if (!s) throw new Error('the cluster is not running')
    return s
  }

  /** A live view of one node for the tests (pid and exit follow its current process). */
  private track(id: number): NodeProc {
    const sup = this.sup
    const n: NodeProc = {
      id, addr: sup.addrOf(id)!, dataDir: sup.dataDirOf(id)!, logs: this.logsFor(id),
      get proc() {
        const pid = sup.pidOf(id)
        return pid === undefined ? undefined : { pid, kill: (signal: NodeJS.Signals = 'SIGTERM') => process.kill(pid, signal) }
      },
      get exited() {
        return sup.waitExit(id).then((e) => e.code)
      },
    }
    this.nodes.set(id, n)
    return n
  }

  private logsFor(id: number): Record<string, unknown>[] {
    let l = this.logs.get(id)
    if (!l) this.logs.set(id, (l = []))
    return l
  }

  get peersArg(): string {
    return [...this.nodes.values()].map((n) => `${n.id}=${n.addr}`).join(',')
  }

  get endpoints(): string[] {
    return [...this.nodes.values()].map((n) => n.addr)
  }

  endpointsOf(ids: number[]): string[] {
    return ids.map((id) => this.nodes.get(id)!.addr)
  }

  /** Reserves an address for one more node (not started, not a member until a conf change adds it). */
  async addNodeSlot(): Promise<number> {
    const id = await this.sup.reserveNode()
    this.track(id)
    return id
  }

  /** Starts (or restarts) a node's process and waits for its "ready" line. */
  async startNode(id: number): Promise<void> {
    if (this.isRunning(id)) throw new Error(`node ${id} is running`)
    await this.control.start({ id })
  }

  /** Kills a node's process (SIGKILL by default; SIGTERM stops it) and waits until it is gone. */
  async kill(id: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    if (!this.isRunning(id)) return
    if (signal === 'SIGTERM') await this.control.stop({ id })
    else await this.control.kill({ id })
  }

  async restart(id: number): Promise<void> {
    await this.kill(id)
    await this.startNode(id)
  }

  isRunning(id: number): boolean {
    return this.control.supervisor?.pidOf(id) !== undefined
  }

  runningIds(): number[] {
    return [...this.nodes.keys()].filter((id) => this.isRunning(id))
  }

  admin(id: number): AdminClient {
    return new AdminClient({ endpoint: this.nodes.get(id)!.addr, token: this.token })
  }

  client(opts: { endpoints?: string[]; timeoutMs?: number } = {}): RaftKvClient {
    return new RaftKvClient({ endpoints: opts.endpoints ?? this.endpoints, token: this.token, timeoutMs: opts.timeoutMs ?? 10_000 })
  }

  async status(id: number): Promise<NodeStatusInfo> {
    const a = this.admin(id)
    try {
      return await a.status()
    } finally {
      await a.close()
    }
  }

  /** Waits until the given running nodes agree on one leader among them; returns its id. */
  async waitForLeader(ids: number[] = this.runningIds(), timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < deadline) {
      try {
        const sts = await Promise.all(ids.map((id) => this.status(id)))
        const leaders = sts.filter((s) => s.role === 'leader')
        if (leaders.length === 1) {
          const lead = leaders[0]!
          if (sts.every((s) => s.leader === lead.id && s.term === lead.term)) return lead.id
        }
        last = JSON.stringify(sts.map((s) => ({ id: s.id, role: s.role, term: s.term, leader: s.leader })))
      } catch (e) {
        last = String(e)
      }
      await sleep(50)
    }
    throw new Error(`no agreed leader among ${ids.join(',')} within ${timeoutMs} ms: ${last}`)
  }

  /**
   * Asks the leader to hand leadership to `to` and waits until the nodes agree on it; returns
   * the leader they agree on then (`to`, unless it did not happen within timeoutMs). The
   * request returns once the transfer is started: until it completes, every node still
   * agrees on the old leader, so one waitForLeader() right after it can see that one.
   */
  async transferLeader(to: number, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    const lead = await this.waitForLeader()
    if (lead === to) return lead
    const a = this.admin(lead)
    try {
      await a.transferLeader(to)
    } finally {
      await a.close()
    }
    let now = await this.waitForLeader()
    while (now !== to && Date.now() < deadline) {
      await sleep(50)
      now = await this.waitForLeader()
    }
    return now
  }

  /** Waits until every given node has applied at least `index`. */
  async waitForApplied(index: number, ids: number[] = this.runningIds(), timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const sts = await Promise.all(ids.map((id) => this.status(id).catch(() => undefined)))
      if (sts.every((s) => s && s.appliedIndex >= index)) return
      await sleep(50)
    }
    throw new Error(`nodes ${ids.join(',')} did not apply ${index} within ${timeoutMs} ms`)
  }

  /** Partitions the cluster into groups: every node blocks every node outside its group (a node in no group is alone). */
  async partition(...groups: number[][]): Promise<void> {
    const named = new Set(groups.flat())
    const alone = [...this.nodes.keys()].filter((id) => !named.has(id)).map((id) => [id])
    await this.control.partition({ groups: [...groups, ...alone] })
  }

  async heal(): Promise<void> {
    await this.control.heal()
  }

  /** Sets the same node-wide filters on every running node, straight through /admin. */
  async setFaultsAll(f: { blockedPeers: number[]; dropRate: number; delayMs: number; jitterMs: number }): Promise<void> {
    await Promise.all(this.runningIds().map(async (id) => {
      const a = this.admin(id)
      try {
        await a.setFaults(f)
      } finally {
        await a.close()
      }
    }))
  }

  logsOf(id: number): Record<string, unknown>[] {
    return this.logsFor(id)
  }

  async stop(): Promise<void> {
    if (this.control.supervisor) await this.control.shutdown()
    rmSync(this.root, { recursive: true, force: true })
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
