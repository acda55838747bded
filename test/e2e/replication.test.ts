// Puts on one node are read on every node after the leader changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../harness/cluster.js'

describe('replication across leader changes', () => {
  let cluster: LocalCluster
  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3 }) })
  afterAll(async () => { await cluster?.stop() })

  it('reads every acknowledged put from each node as it becomes leader', async () => {
    const writer = cluster.client()
    const N = 50
    for (let i = 0; i < N; i++) await writer.put(`key-${i}`, `value-${i}`)
    await writer.close()
    for (const target of [1, 2, 3]) {
      expect(await cluster.transferLeader(target)).toBe(target)
      // Read through this node only: it is the leader now.
      const reader = cluster.client({ endpoints: cluster.endpointsOf([target]) })
      for (let i = 0; i < N; i += 7) expect((await reader.get(`key-${i}`))?.toString()).toBe(`value-${i}`)
      const scan = await reader.scan('key-', 'key.', { limit: 1000 })
      expect(scan.pairs).toHaveLength(N)
      await reader.close()
    }
    const st = await Promise.all([1, 2, 3].map((id) => cluster.status(id)))
    expect(new Set(st.map((s) => s.appliedIndex)).size).toBe(1)
  })
})
