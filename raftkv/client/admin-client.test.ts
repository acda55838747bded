import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeCluster } from '../../test/support/fake-kv-server.js'
import { AdminClient } from './admin-client.js'
import type { NodeStatusInfo } from './admin-status.js'
import { AdminCommandError, ClientError } from './errors.js'

const TOKEN = 'admin-token'
let cluster: FakeCluster
const admins: AdminClient[] = []

function admin(endpoint: string, token = TOKEN, timeoutMs = 2000): AdminClient {
  const a = new AdminClient({ endpoint, token, timeoutMs })
  admins.push(a)
  return a
}

beforeEach(async () => {
  cluster = await FakeCluster.start({ nodes: 3, token: TOKEN })
})

afterEach(async () => {
  await Promise.all(admins.splice(0).map((a) => a.close()))
  await cluster.close()
})

describe('AdminClient', () => {
  it('reads a node status as a plain, filled-in object', async () => {
    const status = await admin(cluster.node(1).addr).status()
    expect(status).toMatchObject({ id: 1, role: 'leader', term: 1, leader: 1, firstIndex: 1, truncatedIndex: 0, addr: cluster.node(1).addr })
    expect(status.members.map((m) => m.id)).toEqual([1, 2, 3])
    expect(status.progress.map((p) => [p.id, p.state])).toEqual([[2, 'replicate'], [3, 'replicate']])
    expect(status.snapshots).toEqual({ sent: 0, received: 0, applied: 0, failed: 0, transfers: [] })
    expect(status.faults).toEqual({ blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 })
    const follower = await admin(cluster.node(2).addr).status()
    expect(follower).toMatchObject({ id: 2, role: 'follower', progress: [] })
  })

  it('sets faults, transfers leadership and changes membership', async () => {
    const a = admin(cluster.node(1).addr)
    const faults = await a.setFaults({ blockedPeers: [2, 3], dropRate: 0.1, delayMs: 20 })
    expect(faults).toEqual({ blockedPeers: [2, 3], dropRate: expect.closeTo(0.1, 6), delayMs: 20, jitterMs: 0 })
    expect((await a.status()).faults.blockedPeers).toEqual([2, 3])
    await a.transferLeader(3)
    expect(cluster.leaderId).toBe(3)
    await a.changePeer('add', 4, '127.0.0.1:7004')
    expect((await a.status()).members).toContainEqual({ id: 4, addr: '127.0.0.1:7004' })
    await a.changePeer('remove', 4)
    expect((await a.status()).members.map((m) => m.id)).toEqual([1, 2, 3])
  })

  it('reports a refused command with the node code', async () => {
    const a = admin(cluster.node(1).addr)
    await expect(a.transferLeader(9)).rejects.toMatchObject({ code: 'ADMIN', serverCode: 'NOT_MEMBER' })
    cluster.node(1).adminErrorCode = 'NOT_LEADER'
    const err = await a.status().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AdminCommandError)
    expect(err).toMatchObject({ serverCode: 'NOT_LEADER' })
  })

  it('fails with CONNECTION for a node that is down, and on a wrong token', async () => {
    const dead = cluster.node(3).addr
    await cluster.node(3).close()
    const down = await admin(dead).status().catch((e: unknown) => e)
    expect(down).toBeInstanceOf(ClientError)
    expect(down).toMatchObject({ code: 'CONNECTION' })
    const refused = await admin(cluster.node(1).addr, 'wrong').status().catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'ADMIN', serverCode: 'UNAUTHORIZED' })
  })

  it('streams status until stopped, and reconnects when the node drops the stream', async () => {
    const a = admin(cluster.node(1).addr)
    const seen: NodeStatusInfo[] = []
    const errors: ClientError[] = []
    let stop: () => void = () => undefined
    await new Promise<void>((resolve) => {
      stop = a.watchStatus(20, (s) => {
        seen.push(s)
        if (seen.length === 2) cluster.node(1).dropConnections()
        if (seen.length === 4) resolve()
      }, (e) => errors.push(e))
    })
    stop()
    expect(seen.every((s) => s.id === 1)).toBe(true)
    expect(errors.map((e) => e.code)).toEqual(['CONNECTION'])
    const watches = cluster.node(1).adminReceived.filter((r) => r.cmd === 'watchStatus')
    expect(watches).toHaveLength(2)
    expect(watches[0]!.watchStatus!.intervalMs).toBe(20)
  })
})
