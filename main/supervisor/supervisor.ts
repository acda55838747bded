// The Supervisor of a local cluster: the node processes it started (each with its own
// data dir and port, all sharing a fresh cluster token), their lifecycle, and shutdown.
// It knows nothing of the control API's validation or the view: the Controller calls it,
// and its hooks report lines, exits and its own actions.
import { randomBytes } from 'node:crypto'
import { ControlError } from '../control/errors.js'
import type { ClusterEventKind, LogLine, ProcessInfo } from '../control/types.js'
import { createClusterDir, type ClusterDir } from './cluster-dir.js'
import type { LaunchCommand } from './launch-command.js'
import { NodeProcess, type NodeExit } from './node-process.js'
import { checkPortsFree, freePorts } from './ports.js'

/** A LaunchSpec with every default filled in. */
export interface ResolvedSpec {
  nodes: number
  dataDir: string | undefined
  basePort: number | undefined
  tickMs: number
  electionTick: number
  heartbeatTick: number
  gcCountLimit: number
  snapshotChunkBytes: number | undefined
  snapshotRateLimitMiBps: number | undefined
}

export interface SupervisorHooks {
  /** The cluster's folder exists (before any node starts). */
  dir?: (dir: ClusterDir) => void
  event: (kind: ClusterEventKind, node: number | undefined, detail: Record<string, unknown>) => void
  line: (line: LogLine) => void
}

export interface SupervisorOptions {
  launch: LaunchCommand
  /** Parent of the default cluster folders. */
  appDataDir: string
  /** Fixed token (tests that need to know it); default: a fresh random one per cluster. */
  token?: string
  /** More node flags for every node (tests: --raft-log-gc-count-limit, ...). */
  extraNodeArgs?: string[]
  readyTimeoutMs?: number
  stopTimeoutMs?: number
  hooks: SupervisorHooks
}

export interface MemberEntry {
  id: number
  addr: string
  process: ProcessInfo
}

export function freshToken(): string {
  return randomBytes(24).toString('base64url')
}

export class Supervisor {
  readonly token: string
  readonly dir: ClusterDir
  private readonly nodes = new Map<number, NodeProcess>()
  private nextId: number
  private closed = false

  private constructor(readonly spec: ResolvedSpec, private readonly opts: SupervisorOptions, dir: ClusterDir) {
    this.token = opts.token ?? freshToken()
    this.dir = dir
    this.nextId = spec.nodes + 1
  }

  /** Starts spec.nodes processes and resolves when every one said ready (on failure none is left running). */
  static async launch(spec: ResolvedSpec, opts: SupervisorOptions): Promise<Supervisor> {
    const ports = spec.basePort === undefined
      ? await freePorts(spec.nodes)
      : Array.from({ length: spec.nodes }, (_, i) => spec.basePort! + i)
    if (spec.basePort !== undefined) {
      if (ports[ports.length - 1]! > 65535) throw new ControlError('BAD_ARGUMENT', `basePort ${spec.basePort} + ${spec.nodes} nodes passes 65535`)
      await checkPortsFree(ports)
    }
    const dir = createClusterDir(spec.dataDir, opts.appDataDir, { spec: { ...spec }, manager: 'raftkv-manager' })
    opts.hooks.dir?.(dir)
    const sup = new Supervisor(spec, opts, dir)
    ports.forEach((port, i) => sup.add(i + 1, `127.0.0.1:${port}`))
    try {
      const peers = sup.peersArg()
      await Promise.all([...sup.nodes.values()].map((n) => sup.startProcess(n, peers)))
    } catch (e) {
      await sup.shutdown()
      throw e
    }
    return sup
  }

  members(): MemberEntry[] {
    return [...this.nodes.values()].map((n) => ({ id: n.id, addr: n.addr, process: n.info }))
  }

  has(id: number): boolean {
    return this.nodes.has(id)
  }

  pidOf(id: number): number | undefined {
    return this.nodes.get(id)?.pid
  }

  addrOf(id: number): string | undefined {
    return this.nodes.get(id)?.addr
  }

  async kill(id: number): Promise<void> {
    const n = this.runningNode(id)
    await n.kill()
    this.opts.hooks.event('node-killed', id, { signal: 'SIGKILL' })
  }

  async stop(id: number): Promise<void> {
    const n = this.runningNode(id)
    await n.stop()
    this.opts.hooks.event('node-stopped', id, { signal: 'SIGTERM', code: n.info.exitCode })
  }

  async start(id: number): Promise<void> {
    const n = this.node(id)
    if (n.running) throw new ControlError('CLUSTER_RUNNING', `node ${id} is already running (${n.info.state})`)
    await this.startProcess(n, this.peersArg())
  }

  async restart(id: number): Promise<void> {
    const n = this.node(id)
    if (n.running) {
      await n.stop()
      this.opts.hooks.event('node-stopped', id, { signal: 'SIGTERM', code: n.info.exitCode, restart: true })
    }
    await this.startProcess(n, this.peersArg())
  }

  pause(id: number): void {
    this.node(id).pause()
    this.opts.hooks.event('node-paused', id, { signal: 'SIGSTOP' })
  }

  resume(id: number): void {
    this.node(id).resume()
    this.opts.hooks.event('node-resumed', id, { signal: 'SIGCONT' })
  }

  /** Reserves the id, port and folder of one more node without starting it. */
  async reserveNode(): Promise<number> {
    const id = this.nextId++
    const [port] = await freePorts(1)
    this.add(id, `127.0.0.1:${port!}`)
    return id
  }

  /** The exit of a node's current (or last) process. */
  waitExit(id: number): Promise<{ code: number | null; signal: string | null }> {
    return this.node(id).waitExit()
  }

  dataDirOf(id: number): string | undefined {
    return this.nodes.has(id) ? this.dir.nodeDir(id) : undefined
  }

  /** Starts the process of one more node (not a member until a conf change adds it); returns its id. */
  async addProcess(): Promise<number> {
    const id = await this.reserveNode()
    const n = this.node(id)
    try {
      await this.startProcess(n, this.peersArg())
    } catch (e) {
      this.nodes.delete(id)
      await n.closeLog()
      throw e
    }
    return id
  }

  /** Stops a removed member's process and forgets it. */
  async dropProcess(id: number): Promise<void> {
    const n = this.node(id)
    await n.stop()
    this.nodes.delete(id)
    await n.closeLog()
  }

  /** Stops every node (SIGTERM, SIGKILL after the stop timeout); none is left running. */
  async shutdown(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.nodes.values()].map((n) => n.stop()))
    await Promise.all([...this.nodes.values()].map((n) => n.closeLog()))
  }

  /** Resolves when every node's log file holds every line printed so far. */
  async flushLogs(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.flushLog()))
  }

  /** Every member as id=host:port (the nodes' --peers). */
  peersArg(): string {
    return [...this.nodes.values()].map((n) => `${n.id}=${n.addr}`).join(',')
  }

  private add(id: number, addr: string): NodeProcess {
    const s = this.spec
    const nodeArgs = ['--tick-ms', String(s.tickMs), '--election-tick', String(s.electionTick), '--heartbeat-tick', String(s.heartbeatTick),
      '--raft-log-gc-count-limit', String(s.gcCountLimit)]
    if (s.snapshotChunkBytes !== undefined) nodeArgs.push('--snapshot-chunk-bytes', String(s.snapshotChunkBytes))
    if (s.snapshotRateLimitMiBps !== undefined) nodeArgs.push('--snapshot-rate-limit', String(s.snapshotRateLimitMiBps))
    nodeArgs.push(...(this.opts.extraNodeArgs ?? []))
    const n = new NodeProcess({
      id, addr, dataDir: this.dir.nodeDir(id), logFile: this.dir.logFile(id), token: this.token, launch: this.opts.launch, nodeArgs,
      readyTimeoutMs: this.opts.readyTimeoutMs ?? 30_000, stopTimeoutMs: this.opts.stopTimeoutMs ?? 10_000,
      onLine: this.opts.hooks.line, onExit: (nodeId, exit) => this.exited(nodeId, exit),
    })
    this.nodes.set(id, n)
    return n
  }

  private async startProcess(n: NodeProcess, peers: string): Promise<void> {
    const started = n.start(peers) // spawns before its first await: the pid is known now
    this.opts.hooks.event('node-started', n.id, { addr: n.addr, pid: n.info.pid, restarts: n.info.restarts })
    await started
    this.opts.hooks.event('node-ready', n.id, { addr: n.addr, pid: n.info.pid })
  }

  private exited(id: number, exit: NodeExit): void {
    this.opts.hooks.event('node-exited', id, { code: exit.code, signal: exit.signal, expected: exit.expected, crash: !exit.expected })
  }

  private node(id: number): NodeProcess {
    const n = this.nodes.get(id)
    if (!n) throw new ControlError('UNKNOWN_NODE', `no node ${id} in this cluster`)
    return n
  }

  private runningNode(id: number): NodeProcess {
    const n = this.node(id)
    if (!n.running) throw new ControlError('NODE_NOT_RUNNING', `node ${id} is ${n.info.state}`)
    return n
  }
}
