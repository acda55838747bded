// The /admin service over fakes: a real driver on an in-memory storage and transport.
import { afterEach, describe, expect, it } from 'vitest'
import { adminpb } from '../../proto/generated/protos.js'
import { noFaults, type Connection, type Faults } from '../transport/index.js'
import { AdminService } from './admin-service.js'
import { RaftDriver } from './raft-driver.js'
import { FakeConnection, FakePeers, FakeStorage, rawNodeOver, silentLog, until } from './testing/fakes.js'

const Code = adminpb.AdminErrorCode
const drivers: RaftDriver[] = []
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop()
})

async function setup(members: number[], lead: boolean) {
  const storage = new FakeStorage(members)
  const rawNode = rawNodeOver(storage, 1)
  if (lead) rawNode.campaign()
  const driver = new RaftDriver(rawNode, storage, new FakePeers(), { nodeId: 1, tickMs: 1000, log: silentLog() })
  drivers.push(driver)
  driver.start()
  if (lead) await until(() => driver.isLeader, 'leadership')
  let faults: Faults = noFaults()
  const admin = new AdminService({
    log: silentLog(), driver, status: () => ({ id: 1, role: driver.isLeader ? 'leader' : 'follower' }),
    setFaults: (f) => { faults = f }, getFaults: () => faults,
    members: () => storage.regionState.region.peers, removed: () => false,
  })
  const conn = new FakeConnection()
  admin.attach(conn as unknown as Connection)
  const call = async (req: adminpb.IAdminRequest): Promise<adminpb.AdminResponse> => {
    const before = conn.sent.length
    conn.deliver(adminpb.AdminRequest.encode(req).finish())
    await until(() => conn.sent.length > before, 'an answer')
    return adminpb.AdminResponse.decode(conn.sent[before]!)
  }
  return { driver, conn, call, storage }
}

describe('AdminService', () => {
  it('answers status with the request id', async () => {
    const { call } = await setup([1], true)
    const r = await call({ id: 9, status: {} })
    expect(r.id).toBe(9)
    expect(r.status?.role).toBe('leader')
  })

  it('sets valid faults and answers the faults in force; refuses invalid ones', async () => {
    const { call } = await setup([1, 2, 3], false)
    const ok = await call({ id: 1, setFaults: { faults: { blockedPeers: [2], dropRate: 0.25 } } })
    expect(ok.errorCode).toBe(Code.OK)
    expect(ok.faults?.dropRate).toBe(0.25)
    expect((ok.faults?.blockedPeers ?? []).map(Number)).toEqual([2])
    const bad = await call({ id: 2, setFaults: { faults: { dropRate: 2 } } })
    expect(bad.errorCode).toBe(Code.INVALID_FAULTS)
  })

  it('refuses a leader transfer on a follower, and to a node that is not a member', async () => {
    const follower = await setup([1, 2, 3], false)
    expect((await follower.call({ id: 1, transferLeader: { peer: 2 } })).errorCode).toBe(Code.NOT_LEADER)
    const leader = await setup([1], true)
    expect((await leader.call({ id: 2, transferLeader: { peer: 5 } })).errorCode).toBe(Code.NOT_MEMBER)
  })

  it('adds a member through raft and answers once it applied', async () => {
    const { call, storage } = await setup([1], true)
    const r = await call({ id: 3, changePeer: { change: 'add', peer: 2, addr: '127.0.0.1:7002' } })
    expect(r.errorCode).toBe(Code.OK)
    expect(storage.regionState.region.peers.map((p) => p.id)).toEqual([1, 2])
  })

  it('answers BAD_REQUEST to an empty request and closes a connection whose frame does not decode', async () => {
    const { call, conn } = await setup([1], false)
    expect((await call({ id: 4 })).errorCode).toBe(Code.BAD_REQUEST)
    conn.deliver(new Uint8Array([0xff, 0xff, 0xff]))
    expect(conn.closedWith).toBeDefined()
  })
})
