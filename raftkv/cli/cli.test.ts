// The CLI as a user runs it: `node bin/raftkv.js ...` in a child process, against the fake cluster.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseHistory } from '../client/history.js'
import { FakeCluster } from '../../test/support/fake-kv-server.js'
import { checkLinearizability } from '../check/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TOKEN = 'cli-token'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI; never blocks the event loop (the fake cluster lives in this process). */
function raftkv(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/raftkv.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, RAFTKV_TOKEN: TOKEN, RAFTKV_ENDPOINTS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    // A guard against a hung child, not a speed bound: several CLIs start at once (each
    // compiling TypeScript), which can take long on a busy 2-core machine.
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

let cluster: FakeCluster
let endpoints: string
let dir: string

beforeAll(async () => {
  cluster = await FakeCluster.start({ nodes: 3, token: TOKEN })
  endpoints = cluster.endpoints.join(',')
  dir = mkdtempSync(join(tmpdir(), 'raftkv-cli-'))
})

afterAll(async () => {
  await cluster.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('raftkv CLI', () => {
  it('--help lists the commands and exits 0; bad usage exits 2', async () => {
    const [help, getHelp, unknown, noKey, badEndpoint, noToken] = await Promise.all([
      raftkv(['--help']),
      raftkv(['get', '--help']),
      raftkv(['frobnicate']),
      raftkv(['get', '--endpoints', endpoints]),
      raftkv(['get', 'k', '--endpoints', 'localhost']),
      raftkv(['get', 'k', '--endpoints', endpoints], { RAFTKV_TOKEN: '' }),
    ])
    expect(help.code).toBe(0)
    for (const command of ['get', 'put', 'del', 'scan', 'status', 'load']) expect(help.stdout).toContain(command)
    expect(getHelp.code).toBe(0)
    expect(getHelp.stdout).toContain('--endpoints <list>')
    expect(getHelp.stdout).toContain('--token <token>')
    expect(getHelp.stdout).toContain('--timeout <duration>')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown command 'frobnicate'")
    expect(noKey.code).toBe(2)
    expect(badEndpoint).toMatchObject({ code: 2, stderr: expect.stringContaining('bad endpoint "localhost"') })
    expect(noToken).toMatchObject({ code: 2, stderr: expect.stringContaining('no token') })
  }, 60_000)

  it('puts, gets, scans and deletes through whichever node leads', async () => {
    cluster.setLeader(2)
    expect(await raftkv(['put', 'fruit/apple', 'red', '--endpoints', endpoints])).toMatchObject({ code: 0, stdout: 'OK\n' })
    expect(await raftkv(['put', 'fruit/kiwi', 'green', '--endpoints', endpoints])).toMatchObject({ code: 0 })
    expect(await raftkv(['get', 'fruit/apple', '--endpoints', endpoints])).toMatchObject({ code: 0, stdout: 'red\n' })
    expect(await raftkv(['scan', 'fruit/', 'fruit0', '--endpoints', endpoints])).toMatchObject({ code: 0, stdout: 'fruit/apple\tred\nfruit/kiwi\tgreen\n' })
    const limited = await raftkv(['scan', '--limit', '1', '--endpoints', endpoints])
    expect(limited).toMatchObject({ code: 0, stdout: 'fruit/apple\tred\n' })
    expect(limited.stderr).toContain('more follow')
    expect(await raftkv(['del', 'fruit/apple', '--endpoints', endpoints])).toMatchObject({ code: 0, stdout: 'OK\n' })
    const missing = await raftkv(['get', 'fruit/apple', '--endpoints', endpoints])
    expect(missing).toMatchObject({ code: 3, stdout: '' })
    expect(missing.stderr).toContain('key "fruit/apple" not found')
    expect(cluster.node(2).received.length).toBeGreaterThanOrEqual(7)
  }, 60_000)

  it('exits 1 with a clear message on a wrong token, an unknown outcome, or nobody reachable', async () => {
    cluster.setLeader(1)
    cluster.node(1).respondNext({ kind: 'dropConnection', apply: true })
    const [wrongToken, unknown] = await Promise.all([
      raftkv(['get', 'k', '--endpoints', cluster.node(3).addr], { RAFTKV_TOKEN: 'wrong' }),
      raftkv(['put', 'k', 'v', '--endpoints', cluster.node(1).addr]),
    ])
    expect(wrongToken.code).toBe(1)
    expect(wrongToken.stderr).toContain('raftkv: get failed: UNAUTHORIZED')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/raftkv: put failed: CONNECTION: .*\(the write may or may not have been applied\)/)
    const nobody = await raftkv(['put', 'k', 'v', '--endpoints', '127.0.0.1:1', '--timeout', '300ms'])
    expect(nobody.code).toBe(1)
    expect(nobody.stderr).toMatch(/put failed: CONNECTION: no endpoint is reachable \(127\.0\.0\.1:1\): .*ECONNREFUSED/)
  }, 60_000)

  it('status prints a table, or JSON with an error entry for a node that is down', async () => {
    cluster.setLeader(1)
    const down = '127.0.0.1:1'
    const table = await raftkv(['status', '--endpoints', endpoints])
    expect(table.code).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^ENDPOINT\s+ID\s+ROLE\s+TERM/)
    expect(lines).toHaveLength(4)
    expect(lines[1]).toMatch(new RegExp(`^${cluster.node(1).addr}\\s+1\\s+leader\\s`))

    const json = await raftkv(['status', '--json', '--endpoints', `${endpoints},${down}`])
    expect(json.code).toBe(1)
    expect(json.stderr).toContain('1 of 4 endpoint(s) did not answer')
    const entries = JSON.parse(json.stdout) as Record<string, unknown>[]
    expect(entries.map((e) => e.endpoint)).toEqual([...cluster.endpoints, down])
    for (const entry of entries.slice(0, 3)) {
      for (const field of ['id', 'role', 'term', 'vote', 'leader', 'firstIndex', 'lastIndex', 'stabledIndex', 'commitIndex', 'appliedIndex', 'members', 'progress', 'truncatedIndex', 'snapshots']) {
        expect(entry).toHaveProperty(field)
      }
      expect(entry.snapshots).toEqual({ sent: 0, received: 0, applied: 0, failed: 0, transfers: [] })
    }
    expect(entries[0]).toMatchObject({ id: 1, role: 'leader', leader: 1 })
    expect(entries[3]).toMatchObject({ endpoint: down, errorCode: 'CONNECTION', error: expect.stringContaining('ECONNREFUSED') })
  }, 60_000)

  it('load prints live progress and a report, and writes a linearizable history', async () => {
    const file = join(dir, 'history.ndjson')
    const run = await raftkv(['load', '--endpoints', endpoints, '--clients', '4', '--duration', '1.2s', '--keys', '20', '--value-size', '16', '--history', file])
    expect(run.code).toBe(0)
    // A progress line about every second (its time stamp drifts on a busy machine).
    expect(run.stderr).toMatch(/\[\s+\d+\.\ds\]\s+[\d,]+ ops\/s/)
    expect(run.stdout).toMatch(/^OP\s+COUNT\s+OK\s+FAIL\s+INFO\s+OK\/S\s+P50 MS\s+P99 MS\s+MAX MS\n/)
    expect(run.stdout).toMatch(/^put\s/m)
    expect(run.stdout).toMatch(/^get\s/m)
    expect(run.stdout).toMatch(/^total: [\d,]+ ok of [\d,]+ in [\d.]+ s with 4 clients/m)
    const events = parseHistory(readFileSync(file, 'utf8'))
    expect(events.length).toBeGreaterThan(20)
    expect(checkLinearizability(events).verdict).toBe('ok')

    const json = await raftkv(['load', '--endpoints', endpoints, '--clients', '2', '--duration', '300ms', '--json'])
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout) as { clients: number; ok: number; operations: Record<string, { latency: { p99Ms: number } }> }
    expect(report.clients).toBe(2)
    expect(report.ok).toBeGreaterThan(0)
    expect(report.operations.put!.latency.p99Ms).toBeGreaterThan(0)
  }, 60_000)
})
