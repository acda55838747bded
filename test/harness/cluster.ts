// A local cluster of real node processes for the end-to-end tests: ephemeral ports on
// 127.0.0.1, one temp data dir per node, JSON log lines captured per node, every process
// killed in stop().
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePorts } from './ports.js'
import { AdminClient, RaftKvClient, type NodeStatusInfo } from '../../raftkv/client/index.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const ENTRY = join(ROOT, 'raftkv', 'server', 'main.ts')

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
  proc: ChildProcess | undefined
  logs: Record<string, unknown>[]
  exited: Promise<number | null> | undefined
}

export class LocalCluster {
  readonly token: string
  readonly nodes = new Map<number, NodeProc>()
  readonly root: string
  private readonly opts: Required<Omit<ClusterOptions, 'token'>>

  private constructor(opts: ClusterOptions) {
    this.token = opts.token ?? 'test-token-0123456789'
    this.opts = {
      size: opts.size ?? 3, tickMs: opts.tickMs ?? 50, electionTick: opts.electionTick ?? 10,
      heartbeatTick: opts.heartbeatTick ?? 2, extraArgs: opts.extraArgs ?? [], nodeFlags: opts.nodeFlags ?? [],
    }
    this.root = mkdtempSync(join(tmpdir(), 'raftkv-e2e-'))
  }

  /** Starts a cluster and waits until every node is ready and a leader is elected. */
  static async start(opts: ClusterOptions = {}): Promise<LocalCluster> {
    const c = new LocalCluster(opts)
    const ports = await freePorts(c.opts.size)
    ports.forEach((port, i) => {
      const id = i + 1
      c.nodes.set(id, { id, addr: `127.0.0.1:${port}`, dataDir: join(c.root, `n${id}`), proc: undefined, logs: [], exited: undefined })
    })
    try {
      await Promise.all([...c.nodes.keys()].map((id) => c.startNode(id)))
      await c.waitForLeader()
    } catch (e) {
      await c.stop()
      throw e
    }
    return c
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
    const id = Math.max(...this.nodes.keys()) + 1
    const [port] = await freePorts(1)
    this.nodes.set(id, { id, addr: `127.0.0.1:${port!}`, dataDir: join(this.root, `n${id}`), proc: undefined, logs: [], exited: undefined })
    return id
  }

  /** Starts (or restarts) a node's process and waits for its "ready" line. */
  async startNode(id: number): Promise<void> {
    const n = this.nodes.get(id)!
    if (n.proc && n.proc.exitCode === null && n.proc.signalCode === null) throw new Error(`node ${id} is running`)
    const args = [...this.opts.nodeFlags, '--import', 'tsx', ENTRY, '--id', String(id), '--peers', this.peersArg, '--data-dir', n.dataDir,
      '--tick-ms', String(this.opts.tickMs), '--election-tick', String(this.opts.electionTick),
      '--heartbeat-tick', String(this.opts.heartbeatTick), ...this.opts.extraArgs]
    const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, RAFTKV_TOKEN: this.token }, stdio: ['ignore', 'pipe', 'pipe'] })
    n.proc = proc
    n.exited = new Promise((r) => proc.once('exit', (code) => r(code)))
    let buf = ''
    let stderr = ''
    const ready = new Promise<void>((resolveReady, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString()
        let nl: number
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          try {
            const rec = JSON.parse(line) as Record<string, unknown>
            n.logs.push(rec)
            if (rec.msg === 'ready') resolveReady()
          } catch {
            n.logs.push({ raw: line })
          }
        }
      })
      proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
      proc.once('exit', (code, sig) => reject(new Error(`node ${id} exited (${code ?? sig}) before ready: ${stderr.slice(-2000)}`)))
    })
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`node ${id} not ready in 30 s`)), 30_000).unref())
    await Promise.race([ready, timeout])
  }

  /** Kills a node's process (SIGKILL by default) and waits until it is gone. */
  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.nodes.get(id)!
    if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) return
    n.proc.kill(signal)
    await n.exited
  }

  async restart(id: number): Promise<void> {
    await this.kill(id)
    await this.startNode(id)
  }

  isRunning(id: number): boolean {
    const p = this.nodes.get(id)!.proc
    return !!p && p.exitCode === null && p.signalCode === null
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

  /** Partitions the cluster into groups: every node blocks every node outside its group. */
  async partition(...groups: number[][]): Promise<void> {
    const groupOf = new Map<number, number[]>()
    for (const g of groups) for (const id of g) groupOf.set(id, g)
    await Promise.all(this.runningIds().map(async (id) => {
      const mine = groupOf.get(id) ?? [id]
      const blocked = [...this.nodes.keys()].filter((o) => o !== id && !mine.includes(o))
      const a = this.admin(id)
      try {
        await a.setFaults({ blockedPeers: blocked, dropRate: 0, delayMs: 0, jitterMs: 0 })
      } finally {
        await a.close()
      }
    }))
  }

  async heal(): Promise<void> {
    await this.setFaultsAll({ blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 })
  }

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
    return this.nodes.get(id)!.logs
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.keys()].map((id) => this.kill(id)))
    rmSync(this.root, { recursive: true, force: true })
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
