// Kill -9 the leader under a write load: a new leader is elected and writes continue;
// the old leader, restarted, catches up; after restarting every node, every
// acknowledged write is still there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, sleep } from '../harness/cluster.js'

describe('leader failover under load', () => {
  let cluster: LocalCluster
  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3 }) })
  afterAll(async () => { await cluster?.stop() })

  it('survives SIGKILL of the leader and loses no acknowledged write', async () => {
    const acked = new Map<string, string>()
    let stop = false
    let seq = 0
    const errors: string[] = []
    const writers = Array.from({ length: 4 }, async (_, w) => {
      const client = cluster.client({ timeoutMs: 15_000 })
      while (!stop) {
        const key = `w${w}-${seq++}`
        const value = `v-${key}`
        try {
          await client.put(key, value)
          acked.set(key, value)
        } catch (e) {
          errors.push(String(e))
        }
      }
      await client.close()
    })
    const waitAcked = async (n: number): Promise<void> => {
      const deadline = Date.now() + 30_000
      while (acked.size < n && Date.now() < deadline) await sleep(20)
      expect(acked.size).toBeGreaterThanOrEqual(n)
    }

    await waitAcked(100)
    const oldLeader = await cluster.waitForLeader()
    await cluster.kill(oldLeader)
    const killedAt = acked.size
    const others = [1, 2, 3].filter((id) => id !== oldLeader)
    const newLeader = await cluster.waitForLeader(others)
    expect(newLeader).not.toBe(oldLeader)
    await waitAcked(killedAt + 200) // writes continue on the majority

    await cluster.startNode(oldLeader)
    const lead = await cluster.status(newLeader)
    await cluster.waitForApplied(lead.commitIndex, [oldLeader])
    await waitAcked(acked.size + 50)
    stop = true
    await Promise.all(writers)

    // Restart everything: acknowledged writes are durable.
    for (const id of [1, 2, 3]) await cluster.kill(id)
    await Promise.all([1, 2, 3].map((id) => cluster.startNode(id)))
    await cluster.waitForLeader()
    const reader = cluster.client({ timeoutMs: 15_000 })
    let checked = 0
    for (const [key, value] of acked) {
      expect((await reader.get(key))?.toString(), key).toBe(value)
      checked++
    }
    await reader.close()
    expect(checked).toBe(acked.size)
    expect(checked).toBeGreaterThan(350)
  })
})
