// `raftkv cluster up` as a user runs it: the built CLI as a child process, its --json
// lines, the control API over its WebSocket, and SIGTERM stopping every node (after the
// export bundle was written).
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'
import type { ClusterView } from '../../main/control/types.js'
import { upgradeStatus } from '../support/ws-upgrade.js'
import { alive } from '../harness/cluster-up.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const BIN = join(ROOT, 'bin', 'raftkv.js')

interface Run { child: ChildProcess; lines: string[]; exited: Promise<number | null> }

/** Runs the CLI with `home` as its temp folder (a cluster without --dir goes there). */
function runCli(args: string[], home: string): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: home } })
  const lines: string[] = []
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l))
  child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString()}`))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, lines, exited }
}

async function until<T>(what: string, fn: () => T | undefined, run: Run, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${what}; output:\n${run.lines.join('\n')}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('raftkv cluster up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftkv-cluster-up-'))
  const runs: Run[] = []
  afterAll(() => {
    for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints the ready line, serves /control with the session token, and stops every node on SIGTERM', async () => {
    const bundle = join(dir, 'bundle.tar.gz')
    const run = runCli(['cluster', 'up', '--json', '--nodes', '3', '--port', '0', '--dir', join(dir, 'c'), '--export-on-exit', bundle], dir)
    runs.push(run)
    const first = await until('ready line', () => run.lines[0], run)
    const ready = JSON.parse(first) as { kind: string; url: string; control: string; token: string; endpoints: string[] }
    expect(ready.kind).toBe('ready')
    expect(ready.endpoints).toHaveLength(3)
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/)
    expect(ready.url).toBe(`${ready.control.replace('ws://', 'http://').replace('/control', '/')}#token=${ready.token}`)

    expect(await upgradeStatus(ready.control)).toBe(401)
    expect(await upgradeStatus(`${ready.control}?token=${ready.token}`, { origin: 'http://attacker.example' })).toBe(403)
    const ws = new WebSocket(`${ready.control}?token=${ready.token}`)
    const answers = new Map<number, { result?: unknown; error?: unknown }>()
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { id?: number; result?: unknown; error?: unknown }
      if (typeof f.id === 'number') answers.set(f.id, f)
    })
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j) })
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'status' }))
    const view = (await until('status answer', () => answers.get(1), run)).result as ClusterView
    expect(view.mode).toBe('local')
    expect(view.nodes.map((n) => n.addr)).toEqual(ready.endpoints)
    const pids = view.nodes.map((n) => n.process.pid!)
    expect(pids.every((p) => alive(p))).toBe(true)
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'put', params: { key: 'cli', value: 'up' } }))
    expect((await until('put answer', () => answers.get(2), run)).result).toBeNull()
    ws.close()

    // Every line after the first is one JSON event (the launch's events among them).
    await until('a leader-changed event', () => (run.lines.some((l) => l.includes('"leader-changed"')) ? true : undefined), run)
    for (const line of run.lines.slice(1)) expect(JSON.parse(line)).toMatchObject({ kind: 'event', event: { seq: expect.any(Number), kind: expect.any(String) } })

    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
    // The bundle is written first; the shutdown's own events follow; 'stopped' is last.
    const kinds = run.lines.map((l) => (JSON.parse(l) as { kind: string }).kind)
    expect(kinds.filter((k) => k !== 'event')).toEqual(['ready', 'exported', 'stopped'])
    expect(kinds.at(-1)).toBe('stopped')
    expect(run.lines.some((l) => l.includes('"cluster-shutdown"'))).toBe(true)
    expect(existsSync(bundle) && statSync(bundle).size > 0).toBe(true)
    await until('every node gone', () => (pids.every((p) => !alive(p)) ? true : undefined), run.child.exitCode === null ? run : { ...run, child: { exitCode: null } as ChildProcess }, 10_000)
  })

  it('prints the endpoints, the control URL and the leader in text mode', async () => {
    const run = runCli(['cluster', 'up', '--nodes', '1'], dir)
    runs.push(run)
    await until('the leader line', () => run.lines.find((l) => l.startsWith('leader:')), run)
    expect(run.lines[0]).toMatch(/^cluster up: 1 node\(s\) in /)
    expect(run.lines[1]).toMatch(/^ {2}node 1 {2}127\.0\.0\.1:\d+ {2}pid \d+$/)
    const url = /^control: (http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+))$/.exec(run.lines[2]!)
    expect(url).not.toBeNull()
    // The cluster shut down through the API first: cluster up stays up, and stops cleanly later.
    const ws = new WebSocket(`ws://127.0.0.1:${url![2]}/control?token=${url![3]}`)
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j) })
    const answer = new Promise<{ result?: unknown }>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()) as { result?: unknown })))
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'shutdown' }))
    expect((await answer).result).toBeNull()
    ws.close()
    await until('the cluster-shutdown line', () => run.lines.find((l) => l.includes('cluster-shutdown') || l.includes('node-exited')), run)
    expect(run.child.exitCode).toBeNull()
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
    expect(run.lines.at(-1)).toBe('every node stopped')
    expect(run.lines.join('\n')).not.toMatch(/stderr:/)
  })

  it('refuses a folder that is not its own with a usage error', async () => {
    const run = runCli(['cluster', 'up', '--json', '--dir', ROOT], dir)
    runs.push(run)
    expect(await run.exited).toBe(2)
    expect(run.lines.join('\n')).toMatch(/BAD_ARGUMENT/)
  })
})
