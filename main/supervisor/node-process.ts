// One node the Supervisor runs: its process (one incarnation at a time), its state as the
// view shows it, ready detection on its `node-ready` line, and its exit (expected when the
// Supervisor signalled it, a crash otherwise). Every line it prints goes to its log file
// and, parsed, to the onLine hook.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { ControlError } from '../control/errors.js'
import type { LogLine, ProcessInfo, ProcessState } from '../control/types.js'
import { flushStream } from '../observe/flush-stream.js'
import { parseNodeLine } from '../observe/log-line.js'
import { nodeProcessEnv, type LaunchCommand } from './launch-command.js'

export interface NodeExit {
  code: number | null
  signal: string | null
  /** The Supervisor stopped or killed it (false: it died on its own). */
  expected: boolean
}

export interface NodeProcessConfig {
  id: number
  addr: string
  dataDir: string
  logFile: string
  token: string
  launch: LaunchCommand
  /** The node's flags besides --id, --peers, --data-dir (tick, GC, ...). */
  nodeArgs: string[]
  /** A node not ready this long after its spawn is killed and the start fails with TIMEOUT. */
  readyTimeoutMs: number
  /** A SIGTERM not obeyed this long is followed by SIGKILL. */
  stopTimeoutMs: number
  onLine: (line: LogLine) => void
  onExit: (id: number, exit: NodeExit) => void
}

export class NodeProcess {
  readonly id: number
  readonly addr: string
  private state: ProcessState = 'stopped'
  private proc: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private lastExit: { code: number | null; signal: string | null } = { code: null, signal: null }
  private exitCode: number | null = null
  private signal: string | null = null
  private starts = 0
  private expectExit = false
  private readonly log: WriteStream

  constructor(private readonly cfg: NodeProcessConfig) {
    this.id = cfg.id
    this.addr = cfg.addr
    this.log = createWriteStream(cfg.logFile, { flags: 'a' })
    this.log.on('error', () => {}) // a full disk must not take the Supervisor down
  }

  get info(): ProcessInfo {
    return { state: this.state, pid: this.proc?.pid ?? null, exitCode: this.exitCode, signal: this.signal, restarts: Math.max(0, this.starts - 1) }
  }

  get running(): boolean {
    return this.state === 'starting' || this.state === 'running' || this.state === 'paused'
  }

  get pid(): number | undefined {
    return this.running ? this.proc?.pid : undefined
  }

  /** Spawns the process with the given membership; resolves once it printed its ready line. */
  async start(peers: string): Promise<void> {
    if (this.running) throw new ControlError('CLUSTER_RUNNING', `node ${this.id} is already running`)
    const c = this.cfg
    const port = this.addr.slice(this.addr.lastIndexOf(':') + 1)
    const args = [...c.launch.args, '--id', String(c.id), '--peers', peers, '--data-dir', c.dataDir,
      '--listen', `127.0.0.1:${port}`, '--parent-pid', String(process.pid), ...c.nodeArgs]
    const proc = spawn(c.launch.command, args, {
      env: nodeProcessEnv(process.env, c.launch.env, { RAFTKV_TOKEN: c.token }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.proc = proc
    this.state = 'starting'
    this.exitCode = null
    this.signal = null
    this.expectExit = false
    this.starts++
    let sawPortInUse = false
    const tail: string[] = []
    let onReady: () => void = () => {}
    const ready = new Promise<void>((resolve) => { onReady = resolve })
    const take = (stream: 'stdout' | 'stderr', text: string): void => {
      this.log.write(text + '\n')
      if (text.includes('EADDRINUSE')) sawPortInUse = true
      tail.push(text)
      if (tail.length > 20) tail.shift()
      const line = parseNodeLine(c.id, stream, text, Date.now())
      if (line.fields.event === 'node-ready' && this.proc === proc && this.state === 'starting') {
        this.state = 'running'
        onReady()
      }
      c.onLine(line)
    }
    createInterface({ input: proc.stdout! }).on('line', (l) => take('stdout', l))
    createInterface({ input: proc.stderr! }).on('line', (l) => take('stderr', l))
    this.exited = new Promise<void>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.proc !== proc) return resolve()
        this.exitCode = code
        this.signal = signal
        this.lastExit = { code, signal }
        const expected = this.expectExit
        this.state = expected ? 'stopped' : 'crashed'
        resolve()
        c.onExit(c.id, { code, signal, expected })
      }
      // 'close', not 'exit': every line the node printed has been read by then.
      proc.once('close', done)
      proc.once('error', (err) => {
        // Could not spawn at all (ENOENT...): no 'exit' follows.
        tail.push(String(err))
        done(null, null)
      })
    })
    let timer: NodeJS.Timeout | undefined
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), c.readyTimeoutMs) }),
    ])
    clearTimeout(timer)
    if (outcome === 'ready') return
    if (outcome === 'timeout') {
      await this.kill()
      throw new ControlError('TIMEOUT', `node ${c.id} did not say ready within ${c.readyTimeoutMs} ms`)
    }
    const how = this.signal ?? `code ${String(this.exitCode)}`
    if (sawPortInUse) throw new ControlError('PORT_IN_USE', `node ${c.id}: port ${port} is already in use (it exited with ${how})`)
    throw new ControlError('NODE_NOT_RUNNING', `node ${c.id} exited (${how}) before it was ready: ${tail.slice(-5).join(' | ').slice(-1500)}`)
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return
    this.expectExit = true
    this.proc!.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM (SIGKILL after stopTimeoutMs); resolves once the process is gone. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.expectExit = true
    const proc = this.proc!
    // Also when stopped behind our back (a test's SIGSTOP): a stopped process ignores SIGTERM.
    proc.kill('SIGCONT')
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), this.cfg.stopTimeoutMs)
    await this.exited
    clearTimeout(timer)
  }

  pause(): void {
    if (this.state !== 'running') throw new ControlError('NODE_NOT_RUNNING', `node ${this.id} is ${this.state}, not running`)
    this.proc!.kill('SIGSTOP')
    this.state = 'paused'
  }

  resume(): void {
    if (this.state !== 'paused') throw new ControlError('NODE_NOT_RUNNING', `node ${this.id} is ${this.state}, not paused`)
    this.proc!.kill('SIGCONT')
    this.state = 'running'
  }

  /** Waits until the current process (if any) has exited; its exit code and signal. */
  async waitExit(): Promise<{ code: number | null; signal: string | null }> {
    await this.exited
    return this.lastExit
  }

  /** Resolves when every line so far is in the log file (the export reads it). */
  flushLog(): Promise<void> {
    return flushStream(this.log)
  }

  closeLog(): Promise<void> {
    return new Promise((r) => this.log.end(() => r()))
  }
}
