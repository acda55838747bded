// The node process and the admin service: SIGTERM stops a node cleanly (exit 0) and it
// rejoins; the status stream ticks; membership changes add a new node (brought up to
// date through a snapshot) and remove one, while the cluster keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, sleep } from '../harness/cluster.js'
import type { NodeStatusInfo } from '../../raftkv/client/index.js'

describe('node lifecycle and membership', () => {
  let cluster: LocalCluster
  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3, extraArgs: ['--raft-log-gc-count-limit', '50'] }) })
  afterAll(async () => { await cluster?.stop() })

  it('stops cleanly on SIGTERM and rejoins after a restart', async () => {
    const lead = await cluster.waitForLeader()
    const follower = [1, 2, 3].find((id) => id !== lead)!
    await cluster.kill(follower, 'SIGTERM')
    expect(await cluster.nodes.get(follower)!.exited).toBe(0)
    expect(cluster.logsOf(follower).some((l) => l.event === 'node-stopped')).toBe(true)
    // The log lines a timeline reads: readiness and role changes, as structured events.
    expect(cluster.logsOf(follower).some((l) => l.event === 'node-ready')).toBe(true)
    expect(cluster.logsOf(lead).some((l) => l.event === 'role-changed' && l.role === 'leader')).toBe(true)
    const c = cluster.client()
    await c.put('while-stopped', 'yes')
    await c.close()
    await cluster.startNode(follower)
    const st = await cluster.status(lead)
    await cluster.waitForApplied(st.commitIndex, [follower])
  })

  it('streams status at the requested interval', async () => {
    const a = cluster.admin(1)
    const seen: NodeStatusInfo[] = []
    const stop = a.watchStatus(100, (s) => seen.push(s))
    const deadline = Date.now() + 5000
    while (seen.length < 4 && Date.now() < deadline) await sleep(20)
    stop()
    await a.close()
    expect(seen.length).toBeGreaterThanOrEqual(4)
    expect(seen.every((s) => s.id === 1)).toBe(true)
    expect(seen[seen.length - 1]!.uptimeMs).toBeGreaterThan(seen[0]!.uptimeMs)
  })

  it('adds a new node (caught up by a snapshot) and removes another', async () => {
    const c = cluster.client()
    for (let i = 0; i < 150; i++) await c.put(`m${i}`, `v${i}`)
    const lead = await cluster.waitForLeader()
    const newId = await cluster.addNodeSlot()
    await cluster.startNode(newId)
    const admin = cluster.admin(lead)
    await admin.changePeer('add', newId, cluster.nodes.get(newId)!.addr)
    const st = await cluster.status(lead)
    expect(st.members.map((m) => m.id).sort()).toEqual([1, 2, 3, newId])
    await cluster.waitForApplied(st.commitIndex, [newId], 30_000)
    const ns = await cluster.status(newId)
    expect(ns.snapshots.applied).toBeGreaterThanOrEqual(1)
    expect(ns.members.map((m) => m.id).sort()).toEqual([1, 2, 3, newId])

    const removed = [1, 2, 3].find((id) => id !== lead)!
    await admin.changePeer('remove', removed)
    await admin.close()
    const after = await cluster.status(lead)
    expect(after.members.map((m) => m.id)).not.toContain(removed)
    await cluster.kill(removed)
    // Three members left (two of the old ones and the new one): writes and reads go on.
    await c.put('after-remove', 'ok')
    expect((await c.get('after-remove'))?.toString()).toBe('ok')
    expect((await c.get('m42'))?.toString()).toBe('v42')
    await c.close()
    const survivors = [1, 2, 3, newId].filter((id) => id !== removed)
    const final = await cluster.status(await cluster.waitForLeader(survivors))
    await cluster.waitForApplied(final.commitIndex, survivors)
  })
})
