// With 10% of raft messages dropped and random delays on every node, clients still
// make progress, and the cluster converges once the faults are lifted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../harness/cluster.js'
import { runLoad } from '../../raftkv/client/index.js'

describe('lossy network', () => {
  let cluster: LocalCluster
  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3 }) })
  afterAll(async () => { await cluster?.stop() })

  it('makes progress with 10% loss and 0-30 ms delays', async () => {
    await cluster.setFaultsAll({ blockedPeers: [], dropRate: 0.1, delayMs: 5, jitterMs: 25 })
    const report = await runLoad({ endpoints: cluster.endpoints, token: cluster.token, clients: 8, durationMs: 4000, keys: 200, getRatio: 0.5, timeoutMs: 10_000 })
    expect(report.operations.put.ok).toBeGreaterThan(50)
    expect(report.operations.get.ok).toBeGreaterThan(50)
    await cluster.heal()
    const lead = await cluster.waitForLeader()
    const st = await cluster.status(lead)
    await cluster.waitForApplied(st.commitIndex, [1, 2, 3])
  })
})
