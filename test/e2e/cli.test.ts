// The raftkv command against a real cluster: data commands, status, and the operator
// commands (faults, transfer-leader, member remove) with their exit statuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { LocalCluster, sleep } from '../harness/cluster.js'
import { freePorts } from '../../main/supervisor/ports.js'

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'raftkv.js')

interface Run { code: number; stdout: string; stderr: string }

/** Runs the raftkv command, with RAFTKV_TOKEN when a token is given; code 1 when it failed without a numeric code. */
const runBin = (args: string[], token?: string): Promise<Run> => new Promise((done) => {
  execFile(process.execPath, [BIN, ...args], { env: token === undefined ? process.env : { ...process.env, RAFTKV_TOKEN: token } },
    (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }))
})

describe('raftkv CLI against real nodes', () => {
  let cluster: LocalCluster
  let run: (...args: string[]) => Promise<Run>
  /** Runs against the given endpoints only. */
  const runAt = (endpoints: string[], ...args: string[]): Promise<Run> => runBin([...args, '--endpoints', endpoints.join(',')], cluster.token)
  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 })
    run = (...args) => runAt(cluster.endpoints, ...args)
  })
  afterAll(async () => { await cluster?.stop() })

  it('puts, gets, scans and deletes; a missing key exits 3', async () => {
    expect((await run('put', 'cli-key', 'cli-value')).code).toBe(0)
    const got = await run('get', 'cli-key')
    expect([got.code, got.stdout.trim()]).toEqual([0, 'cli-value'])
    expect((await run('scan', 'cli-', 'cli.')).stdout).toContain('cli-key\tcli-value')
    expect((await run('del', 'cli-key')).code).toBe(0)
    expect((await run('get', 'cli-key')).code).toBe(3)
    // An empty key is bad usage, not a failed call.
    const empty = await run('put', '', 'v')
    expect([empty.code, empty.stderr]).toEqual([2, 'raftkv: the key must not be empty\n'])
    expect((await run('get', '')).code).toBe(2)
  })

  it('prints its version with --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runBin([flag])
      expect([r.code, r.stdout.trim()]).toEqual([0, '0.1.0'])
    }
  })

  it('prints status as JSON with the documented fields', async () => {
    const r = await run('status', '--json')
    expect(r.code).toBe(0)
    const entries = JSON.parse(r.stdout) as Record<string, unknown>[]
    expect(entries).toHaveLength(3)
    for (const e of entries) {
      for (const k of ['id', 'role', 'term', 'vote', 'leader', 'firstIndex', 'lastIndex', 'stabledIndex', 'commitIndex', 'appliedIndex', 'truncatedIndex', 'members', 'progress', 'snapshots']) expect(e, k).toHaveProperty(k)
    }
  })

  it('transfers leadership, sets and clears faults, and refuses bad input with exit status 2', async () => {
    const lead = await cluster.waitForLeader()
    const to = [1, 2, 3].find((id) => id !== lead)!
    const t = await run('transfer-leader', String(to))
    expect(t.code, t.stderr).toBe(0)
    expect(await cluster.waitForLeader()).toBe(to)

    const f = await run('faults', '--drop', '0.05', '--delay', '3')
    expect(f.code, f.stderr).toBe(0)
    expect(f.stdout).toContain('drop=0.05 delay=3ms')
    expect((await cluster.status(1)).faults.dropRate).toBe(0.05)
    // No option only looks: the faults stay, and status shows them too.
    const look = await run('faults')
    expect(look.code, look.stderr).toBe(0)
    expect(look.stdout.trim().split('\n')).toHaveLength(3)
    expect(look.stdout).toContain('drop=0.05 delay=3ms')
    expect((await cluster.status(1)).faults.dropRate).toBe(0.05)
    const table = await run('status')
    expect(table.stdout.split('\n')[0]).toContain('FAULTS')
    expect(table.stdout).toContain('drop=0.05 delay=3ms')
    const cleared = await run('faults', '--clear')
    expect(cleared.code).toBe(0)
    expect(cleared.stdout).toContain('(no faults)')
    expect((await cluster.status(1)).faults.dropRate).toBe(0)
    expect((await run('faults', '--clear', '--drop', '0.1')).code).toBe(2)

    expect((await run('faults', '--drop', '2')).code).toBe(2)
    expect((await run('transfer-leader', 'x')).code).toBe(2)
  })

  it('follows the leader hint of a follower for admin commands', async () => {
    const lead = await cluster.waitForLeader()
    const [a, b] = [1, 2, 3].filter((id) => id !== lead)
    // Only a follower's endpoint: the command goes to the leader it names.
    const t = await runAt(cluster.endpointsOf([a!]), 'transfer-leader', String(b))
    expect(t.code, t.stderr).toBe(0)
    expect(await cluster.waitForLeader()).toBe(b)
  })

  it('removes a member through a follower, says so when it is removed twice, warns when an added member does not answer', async () => {
    const lead = await cluster.waitForLeader()
    const [victim, follower] = [1, 2, 3].filter((id) => id !== lead)
    const r = await runAt(cluster.endpointsOf([follower!]), 'member', 'remove', String(victim))
    expect(r.code, r.stderr).toBe(0)
    expect((await cluster.status(lead)).members.map((m) => m.id)).not.toContain(victim)
    const again = await run('member', 'remove', String(victim))
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`NOT_MEMBER: node ${victim} is not a member`)

    // The removed node learns it: a tombstone that says so in status and in its log, and idles.
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && !(await cluster.status(victim)).removed) await sleep(100)
    expect((await cluster.status(victim)).removed).toBe(true)
    expect(cluster.isRunning(victim)).toBe(true)
    expect(cluster.logsOf(victim).some((l) => l.event === 'node-removed')).toBe(true)
    const st = await runAt(cluster.endpointsOf([victim!]), 'status')
    expect(st.stdout.split('\n')[1]).toMatch(new RegExp(`^\\S+\\s+${victim}\\s+removed\\s`))
    // It no longer dials: nothing about peer links in its log after the tombstone line.
    await sleep(1500)
    const logs = cluster.logsOf(victim!)
    const after = logs.slice(logs.findIndex((l) => l.event === 'node-removed') + 1)
    expect(after.filter((l) => l.msg === 'dial to peer failed' || l.msg === 'peer connected')).toEqual([])

    // Adding a member whose address does not answer works, with a warning about the quorum.
    const [port] = await freePorts(1)
    const add = await run('member', 'add', '9', `127.0.0.1:${port!}`)
    expect(add.code, add.stderr).toBe(0)
    expect(add.stderr).toMatch(/warning: node 9 at 127\.0\.0\.1:\d+ does not answer .*the quorum just grew: 2 of 3 members/)
    expect((await run('member', 'remove', '9')).code).toBe(0)
    expect((await cluster.status(lead)).members.map((m) => m.id).sort()).toEqual([lead, follower].sort())
  })
})

describe('raftkv node', () => {
  it('runs the one-file node bundle (as the Supervisor does), serves, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-cli-node-'))
    const [port] = await freePorts(1)
    const token = 'cli-node-test-token-0123456789'
    const node = spawn(process.execPath, [BIN, 'node', '--id', '1', '--peers', `1=127.0.0.1:${port!}`, '--data-dir', join(dir, 'n1')], {
      env: { ...process.env, RAFTKV_TOKEN: token }, stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const lines = createInterface({ input: node.stdout })
      const ready = await new Promise<{ pid: number; startup?: { modulesMs?: number } }>((done, fail) => {
        const timer = setTimeout(() => fail(new Error('no node-ready line within 30 s')), 30_000)
        lines.on('line', (l) => {
          const rec = JSON.parse(l) as { event?: string; pid: number }
          if (rec.event === 'node-ready') { clearTimeout(timer); done(rec) }
        })
      })
      expect(ready.pid).toBe(node.pid)
      // Only the node's own entry (raftkv/server/main.ts, bundled) reports when its modules were loaded.
      expect(ready.startup?.modulesMs).toEqual(expect.any(Number))
      const r = await runBin(['put', 'from-cli-node', 'yes', '--endpoints', `127.0.0.1:${port!}`], token)
      expect(r.code, r.stderr).toBe(0)
      const help = await runBin(['node', '--help'])
      expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: raftkv node [options]'])
      const exited = new Promise<number | null>((done) => node.once('exit', (code) => done(code)))
      node.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      node.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
