// Log GC and snapshots between real processes: a follower that missed several GC rounds
// catches up through a snapshot; a wiped node rejoins through one; a receiver killed
// mid-transfer gets it on retry; the log stays bounded under a steady write load.
import { afterEach, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { LocalCluster, sleep } from '../harness/cluster.js'
import { runLoad, type RaftKvClient } from '../../raftkv/client/index.js'

const GC = ['--raft-log-gc-count-limit', '50']

async function scanAll(client: RaftKvClient): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  let start = ''
  for (;;) {
    const page = await client.scan(start, '', { limit: 1000 })
    for (const p of page.pairs) out.set(p.key.toString(), p.value.toString())
    if (!page.more || page.pairs.length === 0) return out
    start = page.pairs[page.pairs.length - 1]!.key.toString() + '\u0000'
  }
}

/** Makes `id` the leader, then reads everything through it alone. */
async function dataSeenBy(cluster: LocalCluster, id: number): Promise<Map<string, string>> {
  expect(await cluster.transferLeader(id)).toBe(id)
  const c = cluster.client({ endpoints: cluster.endpointsOf([id]) })
  try {
    return await scanAll(c)
  } finally {
    await c.close()
  }
}

describe('log GC and snapshots', () => {
  let cluster: LocalCluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  it('a follower stopped across several GC rounds catches up through a snapshot and serves the same data', async () => {
    cluster = await LocalCluster.start({ size: 3, extraArgs: GC })
    const lead = await cluster.waitForLeader()
    const victim = [1, 2, 3].find((id) => id !== lead)!
    await cluster.kill(victim)
    const c = cluster.client()
    for (let i = 0; i < 300; i++) await c.put(`k${String(i).padStart(4, '0')}`, `v${i}`)
    await c.close()
    const before = await cluster.status(lead)
    expect(before.truncatedIndex).toBeGreaterThan(150) // several GC rounds went by
    await cluster.startNode(victim)
    await cluster.waitForApplied(before.commitIndex, [victim])
    const [ls, vs] = [await cluster.status(lead), await cluster.status(victim)]
    expect(ls.snapshots.sent).toBeGreaterThanOrEqual(1)
    expect(vs.snapshots.received).toBeGreaterThanOrEqual(1)
    expect(vs.snapshots.applied).toBeGreaterThanOrEqual(1)
    expect(vs.snapshots.transfers.some((t) => t.direction === 'receive' && t.state === 'done')).toBe(true)
    const expected = await dataSeenBy(cluster, lead)
    expect(expected.size).toBe(300)
    expect(await dataSeenBy(cluster, victim)).toEqual(expected)
  })

  it('a wiped node rejoins through a snapshot', async () => {
    cluster = await LocalCluster.start({ size: 3, extraArgs: GC })
    const c = cluster.client()
    for (let i = 0; i < 200; i++) await c.put(`w${i}`, `x${i}`)
    await c.close()
    const lead = await cluster.waitForLeader()
    const victim = [1, 2, 3].find((id) => id !== lead)!
    await cluster.kill(victim)
    rmSync(cluster.nodes.get(victim)!.dataDir, { recursive: true, force: true })
    await cluster.startNode(victim)
    const st = await cluster.status(lead)
    await cluster.waitForApplied(st.commitIndex, [victim])
    expect((await cluster.status(victim)).snapshots.applied).toBeGreaterThanOrEqual(1)
    const expected = await dataSeenBy(cluster, lead)
    expect(await dataSeenBy(cluster, victim)).toEqual(expected)
  })

  it('a receiver killed mid-transfer gets the snapshot on retry; nothing partial is applied', async () => {
    // ~16 MB of state at 4 MiB/s: the transfer takes seconds, long enough to kill it midway.
    cluster = await LocalCluster.start({ size: 3, extraArgs: [...GC, '--snapshot-rate-limit', '4'] })
    const lead = await cluster.waitForLeader()
    const victim = [1, 2, 3].find((id) => id !== lead)!
    await cluster.kill(victim)
    const c = cluster.client({ timeoutMs: 20_000 })
    const big = 'x'.repeat(16 * 1024)
    const writes: Promise<void>[] = []
    for (let i = 0; i < 1000; i++) {
      writes.push(c.put(`big${String(i).padStart(4, '0')}`, big + i))
      if (writes.length >= 32) await Promise.all(writes.splice(0))
    }
    await Promise.all(writes)
    await c.close()
    const before = await cluster.status(lead)
    await cluster.startNode(victim)
    // Wait until the victim is receiving and part of the data has arrived, then kill it.
    const deadline = Date.now() + 30_000
    let partial = false
    let oldApplied = -1
    while (Date.now() < deadline && !partial) {
      const st = await cluster.status(victim).catch(() => undefined)
      partial = !!st?.snapshots.transfers.some((t) => t.direction === 'receive' && t.state === 'receiving' && t.bytesDone > 0 && t.bytesDone < t.bytesTotal)
      if (partial) oldApplied = st!.appliedIndex
      else await sleep(20)
    }
    expect(partial).toBe(true)
    expect(oldApplied).toBeLessThan(before.truncatedIndex)
    await cluster.kill(victim)
    await cluster.startNode(victim)
    // The half-received snapshot was discarded: the node restarts in its old state.
    const afterRestart = await cluster.status(victim)
    expect(afterRestart.appliedIndex).toBe(oldApplied)
    expect(afterRestart.snapshots.applied).toBe(0)
    await cluster.waitForApplied(before.commitIndex, [victim], 60_000)
    const ls = await cluster.status(lead)
    expect(ls.snapshots.sent).toBeGreaterThanOrEqual(1)
    // No election while ~16 MB went across: the leader kept its term throughout.
    expect(ls.role).toBe('leader')
    expect(ls.term).toBe(before.term)
    const expected = await dataSeenBy(cluster, lead)
    expect(expected.size).toBe(1000)
    expect(await dataSeenBy(cluster, victim)).toEqual(expected)
  })

  it('keeps the raft log within twice the GC threshold under a steady write load', async () => {
    cluster = await LocalCluster.start({ size: 3, extraArgs: ['--raft-log-gc-count-limit', '100'] })
    const lead = await cluster.waitForLeader()
    let maxLog = 0
    let samples = 0
    // Bounded by work, not time: run until 1,200 puts succeeded and the log was sampled
    // 30 times, so a busy machine makes the test slower, not red, and a fast one (1,200
    // puts in under half a second) still samples the log throughout.
    const enough = new AbortController()
    const load = runLoad({
      endpoints: cluster.endpoints, token: cluster.token, clients: 16, durationMs: 120_000, keys: 1000, getRatio: 0,
      signal: enough.signal, progressIntervalMs: 100, onProgress: (p) => { if (p.ok >= 1200 && samples >= 30) enough.abort() },
    })
    let done = false
    void load.finally(() => { done = true })
    while (!done) {
      const st = await cluster.status(lead)
      maxLog = Math.max(maxLog, st.lastIndex - st.truncatedIndex)
      samples++
      await sleep(25)
    }
    const report = await load
    expect(report.operations.put.ok).toBeGreaterThan(1000)
    expect(samples).toBeGreaterThan(20)
    expect(maxLog).toBeLessThanOrEqual(200)
  })
})
