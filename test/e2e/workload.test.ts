// Checked workloads on real node processes (the test LocalCluster behind the workload's
// cluster interface): a kill nemesis still gives a linearizable verdict; the same history
// corrupted on purpose gives "not linearizable" with its counterexample.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalCluster } from '../harness/cluster.js'
import { workloadCluster } from '../harness/workload-cluster.js'
import { checkNdjson, WorkloadRunner, type WorkloadRecord } from '../../main/workload/index.js'
import type { WorkloadNotification } from '../../main/control/types.js'
import { parseHistory } from '../../raftkv/client/index.js'
import { seededRandom } from '../support/random-history.js'

describe('checked workloads on a real cluster', () => {
  let cluster: LocalCluster
  let dir: string
  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, tickMs: 50 })
    dir = mkdtempSync(join(tmpdir(), 'raftkv-workloads-'))
  })
  afterAll(async () => {
    await cluster?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs a load with a kill nemesis, reports progress and proves the history linearizable', async () => {
    const ops = workloadCluster(cluster)
    const notifications: WorkloadNotification[] = []
    const events: { kind: string; detail: Record<string, unknown> }[] = []
    const runner = new WorkloadRunner({
      cluster: ops, dir, random: seededRandom(8),
      onNotification: (n) => notifications.push(n), onEvent: (kind, detail) => events.push({ kind, detail }),
    })
    const { runId } = runner.start({ clients: 4, durationMs: 9000, keys: 6, getRatio: 0.5, nemesis: [{ kind: 'kill', everyMs: 2500, forMs: 1000 }] })
    expect(runner.view()).toMatchObject({ runId, state: 'running' })
    const view = await runner.settled()

    const finished = notifications.at(-1)!
    expect(finished.kind).toBe('finished')
    if (finished.kind !== 'finished') return
    expect(finished.state).toBe('done')
    expect(finished.verdict, finished.verdict?.explanation).toMatchObject({ linearizable: true, outcome: 'linearizable' })
    expect(finished.verdict!.ops).toBeGreaterThan(50)
    expect(view).toMatchObject({ runId, state: 'done', verdict: finished.verdict })

    const progress = notifications.filter((n) => n.kind === 'progress')
    expect(progress.length).toBeGreaterThanOrEqual(4)
    expect(progress.some((p) => p.kind === 'progress' && p.opsPerSec > 0 && p.latency.p99Ms > 0)).toBe(true)

    // The nemesis killed nodes and brought each back (a restart takes a while: the beats
    // that come meanwhile are skipped, so how many kills fit depends on the machine).
    const kills = ops.calls.filter((c) => c.startsWith('kill')).length
    expect(kills).toBeGreaterThanOrEqual(1)
    expect(ops.calls.filter((c) => c.startsWith('start')).length).toBe(kills)
    expect(cluster.runningIds()).toEqual([1, 2, 3])
    expect(events.map((e) => e.kind)).toContain('nemesis')
    expect(events[0]).toMatchObject({ kind: 'workload-started', detail: { runId } })
    expect(events.at(-1)).toMatchObject({ kind: 'workload-finished', detail: { runId, state: 'done', outcome: 'linearizable' } })

    // On disk: the whole history and the verdict.
    const ndjson = readFileSync(join(dir, runId, 'history.ndjson'), 'utf8')
    const history = parseHistory(ndjson)
    expect(history.length).toBeGreaterThanOrEqual(2 * finished.verdict!.ops)
    const record = JSON.parse(readFileSync(join(dir, runId, 'verdict.json'), 'utf8')) as WorkloadRecord
    expect(record).toMatchObject({ runId, state: 'done', verdict: { outcome: 'linearizable' } })

    // checkHistory of the same file agrees; a read changed to a stale value is caught.
    expect(checkNdjson(ndjson).outcome).toBe('linearizable')
    const writes = new Map<string, string[]>()
    for (const e of history) if (e.type === 'ok' && e.f === 'put') writes.set(e.key, [...(writes.get(e.key) ?? []), e.value!])
    const victim = history.findLastIndex((e) => e.type === 'ok' && e.f === 'get' && e.value !== null && writes.get(e.key)![0] !== e.value)
    expect(victim).toBeGreaterThan(0)
    const key = history[victim]!.key
    const stale = writes.get(key)![0]!
    const corrupted = history.map((e, i) => (i === victim ? { ...e, value: stale } : e))
    const bad = checkNdjson(corrupted.map((e) => JSON.stringify(e)).join('\n'))
    expect(bad).toMatchObject({ linearizable: false, outcome: 'not-linearizable' })
    const cx = bad.counterexample!
    expect(cx.key).toBe(key)
    expect(cx.ops[cx.stuck]).toBeDefined()
    expect(cx.ops.every((op) => op.key === key && op.invokeMs >= 0)).toBe(true)
    expect(cx.ops.some((op) => op.f === 'get' && op.value === stale && op.client === history[victim]!.process)).toBe(true)
    expect(cx.reason).toContain(`key ${JSON.stringify(key)}`)
  })

  it('runs partition, isolate-leader and pause nemeses and heals everything at the end', async () => {
    const ops = workloadCluster(cluster)
    const runner = new WorkloadRunner({ cluster: ops, dir, random: seededRandom(9) })
    runner.start({
      clients: 3, durationMs: 7000, keys: 4, getRatio: 0.6,
      nemesis: [{ kind: 'partition', everyMs: 1500, forMs: 700 }, { kind: 'isolate-leader', everyMs: 2000, forMs: 700 }, { kind: 'pause', everyMs: 2500, forMs: 600 }],
    })
    const view = await runner.settled()
    expect(view?.verdict?.outcome, view?.verdict?.explanation).toBe('linearizable')
    // One fault at a time (beats that come meanwhile are skipped), each undone.
    const injected = ops.calls.filter((c) => !/^(heal|resume)/.test(c))
    expect(injected.length).toBeGreaterThanOrEqual(1)
    expect(ops.calls.length).toBe(2 * injected.length)
    expect(ops.calls.filter((c) => c.startsWith('pause')).length).toBe(ops.calls.filter((c) => c.startsWith('resume')).length)
    expect(ops.calls.at(-1)).toMatch(/^(heal|resume)/)
    // Back to one agreed leader among all three.
    expect(await cluster.waitForLeader([1, 2, 3])).toBeGreaterThan(0)
    // A second start while nothing runs is fine; stop with nothing running is refused.
    await expect(runner.stop()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })
})
