// A partitioned minority cannot commit while the majority goes on; after healing every
// node converges. An isolated leader stops answering reads (CheckQuorum + ReadIndex).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, sleep } from '../harness/cluster.js'
import { ClientError } from '../../raftkv/client/index.js'

describe('partitions', () => {
  let cluster: LocalCluster
  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3 }) })
  afterAll(async () => { await cluster?.stop() })

  it('a minority cannot commit, the majority goes on, and all converge after healing', async () => {
    // The minority is the current leader: it still takes the write, but can never commit it.
    const minority = await cluster.waitForLeader()
    const majority = [1, 2, 3].filter((id) => id !== minority)
    const all = cluster.client()
    for (let i = 0; i < 20; i++) await all.put(`before-${i}`, 'x')
    await all.close()

    await cluster.partition([minority], majority)
    const minorityBefore = await cluster.status(minority)
    const lonely = cluster.client({ endpoints: cluster.endpointsOf([minority]), timeoutMs: 1500 })
    await expect(lonely.put('lost', 'never')).rejects.toBeInstanceOf(ClientError)
    await lonely.close()

    const newLeader = await cluster.waitForLeader(majority)
    const maj = cluster.client({ endpoints: cluster.endpointsOf(majority) })
    for (let i = 0; i < 50; i++) await maj.put(`during-${i}`, `d${i}`)
    const majStatus = await cluster.status(newLeader)
    const minorityAfter = await cluster.status(minority)
    expect(minorityAfter.lastIndex).toBeGreaterThan(minorityBefore.commitIndex) // the write is in its log...
    expect(minorityAfter.commitIndex).toBe(minorityBefore.commitIndex) // ...but never committed
    expect(majStatus.commitIndex).toBeGreaterThan(minorityAfter.commitIndex + 49)

    await cluster.heal()
    await cluster.waitForApplied(majStatus.commitIndex, [1, 2, 3])
    await cluster.waitForLeader()
    for (let i = 0; i < 50; i += 10) expect((await maj.get(`during-${i}`))?.toString()).toBe(`d${i}`)
    expect(await maj.get('lost')).toBeNull()
    await maj.close()
  })

  it('an isolated leader stops answering reads and steps down', async () => {
    const lead = await cluster.waitForLeader()
    const others = [1, 2, 3].filter((id) => id !== lead)
    const c = cluster.client()
    await c.put('read-me', 'v1')
    await c.close()

    await cluster.partition([lead], others)
    const oldOnly = cluster.client({ endpoints: cluster.endpointsOf([lead]), timeoutMs: 1500 })
    await expect(oldOnly.get('read-me')).rejects.toBeInstanceOf(ClientError)
    // CheckQuorum: without a majority it steps down within a couple of election timeouts.
    const deadline = Date.now() + 10_000
    let role = 'leader'
    while (Date.now() < deadline && role === 'leader') {
      role = (await cluster.status(lead)).role
      if (role === 'leader') await sleep(50)
    }
    expect(role).not.toBe('leader')
    await expect(oldOnly.get('read-me')).rejects.toBeInstanceOf(ClientError)
    await oldOnly.close()

    // The majority elected a new leader that serves reads and writes.
    const newLead = await cluster.waitForLeader(others)
    expect(newLead).not.toBe(lead)
    const maj = cluster.client({ endpoints: cluster.endpointsOf(others) })
    await maj.put('read-me', 'v2')
    expect((await maj.get('read-me'))?.toString()).toBe('v2')
    await maj.close()
    await cluster.heal()
    await cluster.waitForLeader()
  })
})
