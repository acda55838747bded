import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WorkloadNotification } from '../control/types.js'
import type { WorkloadCluster } from './cluster-ops.js'
import { WorkloadRunner } from './runner.js'

const noCluster = (connection: () => { endpoints: string[]; token: string }): WorkloadCluster => ({
  connection,
  status: async () => ({ mode: 'none', leader: 0, term: 0, nodes: [], partition: null, links: [], workload: null, timeMs: 0 }),
  kill: async () => {}, start: async () => {}, pause: async () => {}, resume: async () => {},
  partition: async () => {}, isolate: async () => {}, heal: async () => {},
})

describe('WorkloadRunner without a reachable cluster', () => {
  const dirs: string[] = []
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

  it('ends a run whose cluster cannot be reached as failed, with the reason, and accepts the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-runner-test-'))
    dirs.push(dir)
    const notes: WorkloadNotification[] = []
    const events: string[] = []
    const runner = new WorkloadRunner({
      cluster: noCluster(() => { throw new Error('the cluster went away') }), dir,
      onNotification: (n) => notes.push(n), onEvent: (kind) => events.push(kind),
    })
    const { runId } = runner.start({ clients: 2, durationMs: 500, keys: 2, getRatio: 0.5 })
    const view = await runner.settled()
    expect(view).toMatchObject({ runId, state: 'failed', verdict: null })
    expect(notes.at(-1)).toMatchObject({ kind: 'finished', runId, state: 'failed', reason: expect.stringContaining('the cluster went away') })
    expect(events).toEqual(['workload-started', 'workload-finished'])
    expect(JSON.parse(readFileSync(join(dir, runId, 'verdict.json'), 'utf8'))).toMatchObject({ runId, state: 'failed' })
    expect(runner.running).toBe(false)
    await expect(runner.stop()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })

  it('refuses a bad spec and starts nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-runner-test-'))
    dirs.push(dir)
    const runner = new WorkloadRunner({ cluster: noCluster(() => ({ endpoints: [], token: 't' })), dir })
    expect(() => runner.start({ clients: 2, durationMs: 500, keys: 0, getRatio: 0.5 })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
    expect(runner.view()).toBeNull()
    expect(readdirSync(dir)).toEqual([])
  })
})
