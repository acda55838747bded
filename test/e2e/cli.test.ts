// The raftkv command against a real cluster: data commands, status, and the operator
// commands (faults, transfer-leader, member remove) with their exit statuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { LocalCluster } from '../harness/cluster.js'

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'raftkv.js')

interface Run { code: number; stdout: string; stderr: string }

describe('raftkv CLI against real nodes', () => {
  let cluster: LocalCluster
  let run: (...args: string[]) => Promise<Run>
  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 })
    run = (...args) => new Promise((done) => {
      execFile(process.execPath, [BIN, ...args, '--endpoints', cluster.endpoints.join(',')], { env: { ...process.env, RAFTKV_TOKEN: cluster.token } },
        (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }))
    })
  })
  afterAll(async () => { await cluster?.stop() })

  it('puts, gets, scans and deletes; a missing key exits 3', async () => {
    expect((await run('put', 'cli-key', 'cli-value')).code).toBe(0)
    const got = await run('get', 'cli-key')
    expect([got.code, got.stdout.trim()]).toEqual([0, 'cli-value'])
    expect((await run('scan', 'cli-', 'cli.')).stdout).toContain('cli-key\tcli-value')
    expect((await run('del', 'cli-key')).code).toBe(0)
    expect((await run('get', 'cli-key')).code).toBe(3)
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
    expect((await run('faults', '--clear')).code).toBe(0)
    expect((await cluster.status(1)).faults.dropRate).toBe(0)

    expect((await run('faults', '--drop', '2')).code).toBe(2)
    expect((await run('transfer-leader', 'x')).code).toBe(2)
  })

  it('removes a member through the leader', async () => {
    const lead = await cluster.waitForLeader()
    const victim = [1, 2, 3].find((id) => id !== lead)!
    const r = await run('member', 'remove', String(victim))
    expect(r.code, r.stderr).toBe(0)
    expect((await cluster.status(lead)).members.map((m) => m.id)).not.toContain(victim)
  })
})
