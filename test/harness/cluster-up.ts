// `raftkv cluster up --json` as a child process for the browser tests: waits for its
// "ready" line (the dashboard URL with the session token) and stops it, with every node
// it started, in stop().
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '..', '..')

export interface ClusterUpReady {
  kind: 'ready'
  url: string
  control: string
  token: string
  endpoints: string[]
}

export class ClusterUp {
  readonly lines: Record<string, unknown>[] = []
  readonly stderr: string[] = []
  private constructor(
    readonly proc: ChildProcess, readonly ready: ClusterUpReady, readonly dataDir: string, private readonly home: string,
    readonly exited: Promise<number | null>,
  ) {}

  static async start(args: string[] = [], timeoutMs = 90_000): Promise<ClusterUp> {
    // The process's temp folder is ours too: clusters the dashboard launches without a
    // folder go under <tmpdir>/raftkv-manager, and stop() removes them with the rest.
    const home = mkdtempSync(join(tmpdir(), 'raftkv-ui-e2e-'))
    const dataDir = join(home, 'cluster')
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'raftkv.js'), 'cluster', 'up', '--port', '0', '--json', '--data-dir', dataDir, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: home },
    })
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    const stderr: string[] = []
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk))
    const lines: Record<string, unknown>[] = []
    const ready = await new Promise<ClusterUpReady>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`cluster up: no ready line in ${timeoutMs} ms; stderr: ${stderr.join('').slice(-2000)}`)), timeoutMs)
      void exited.then((code) => reject(new Error(`cluster up exited with ${code}; stderr: ${stderr.join('').slice(-2000)}`)))
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        let parsed: Record<string, unknown>
        try {
          parsed = JSON.parse(line) as Record<string, unknown>
        } catch {
          return
        }
        lines.push(parsed)
        if (parsed.kind === 'ready') {
          clearTimeout(timer)
          resolveReady(parsed as unknown as ClusterUpReady)
        }
      })
    })
    const up = new ClusterUp(proc, ready, dataDir, home, exited)
    up.lines.push(...lines)
    up.stderr.push(...stderr)
    return up
  }

  /** SIGTERM (it shuts its cluster down), SIGKILL after a grace period; removes the data. */
  async stop(graceMs = 20_000): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM')
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs)
      await this.exited
      clearTimeout(timer)
    }
    const code = await this.exited
    rmSync(this.home, { recursive: true, force: true })
    return code
  }
}

/** Whether a process with this pid still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
