// Bad input gets a clear error and loses nothing: wrong or missing token, garbage and
// oversized frames, unknown request types, huge keys and values. The node stays up
// and consistent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { LocalCluster } from '../harness/cluster.js'
import { kvpb } from '../../proto/generated/protos.js'

function open(addr: string, path: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${addr}${path}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function nextFrame(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    ws.once('message', (d: Buffer) => resolve(d))
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)))
  })
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
}

describe('bad input', () => {
  let cluster: LocalCluster
  let leaderAddr: string
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${cluster.token}` })

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 })
    leaderAddr = cluster.nodes.get(await cluster.waitForLeader())!.addr
  })
  afterAll(async () => { await cluster?.stop() })

  it('refuses a wrong or missing token on every path', async () => {
    for (const path of ['/kv', '/admin', '/raft']) {
      await expect(open(leaderAddr, path, { authorization: 'Bearer wrong-token-xyz' })).rejects.toThrow('HTTP 401')
      await expect(open(leaderAddr, path, {})).rejects.toThrow('HTTP 401')
    }
  })

  it('answers request errors with typed codes and keeps the connection', async () => {
    const ws = await open(leaderAddr, '/kv', auth())
    const call = async (req: kvpb.KvRequest.$Properties): Promise<kvpb.KvResponse> => {
      const p = nextFrame(ws)
      ws.send(kvpb.KvRequest.encode(req).finish())
      return kvpb.KvResponse.decode(await p)
    }
    const unknown = await call({ id: 1 })
    expect(unknown.error?.code).toBe(kvpb.ErrorCode.BAD_REQUEST)
    const bigKey = await call({ id: 2, put: { key: new Uint8Array(5000), value: new Uint8Array(1) } })
    expect(bigKey.error?.code).toBe(kvpb.ErrorCode.KEY_TOO_LARGE)
    const bigValue = await call({ id: 3, put: { key: new Uint8Array([1]), value: new Uint8Array(600 * 1024) } })
    expect(bigValue.error?.code).toBe(kvpb.ErrorCode.VALUE_TOO_LARGE)
    const emptyKey = await call({ id: 4, get: { key: new Uint8Array(0) } })
    expect(emptyKey.error?.code).toBe(kvpb.ErrorCode.BAD_REQUEST)
    const badScan = await call({ id: 5, scan: { start: Buffer.from('b'), end: Buffer.from('a') } })
    expect(badScan.error?.code).toBe(kvpb.ErrorCode.BAD_REQUEST)
    const ok = await call({ id: 6, put: { key: Buffer.from('still'), value: Buffer.from('works') } })
    expect(ok.error).toBeFalsy()
    expect(ok.id).toBe(6)
    ws.close()
  })

  it('closes only the connection that sends garbage or an oversized frame', async () => {
    const garbage = await open(leaderAddr, '/kv', auth())
    const g = closed(garbage)
    garbage.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))
    expect((await g).code).toBe(1007)

    const huge = await open(leaderAddr, '/kv', auth())
    const h = closed(huge)
    huge.send(Buffer.alloc(2 * 1024 * 1024))
    expect((await h).code).toBe(1009)

    const admin = await open(leaderAddr, '/admin', auth())
    const a = closed(admin)
    admin.send(Buffer.from('not protobuf at all'))
    expect((await a).code).toBe(1007)

    // A peer connection from an unknown node id is refused; garbage on /raft closes it.
    await expect(open(leaderAddr, '/raft', { ...auth(), 'x-raftkv-from': '99' })).rejects.toThrow(/HTTP 40/)

    // Everyone else is still served, and the cluster stays consistent.
    const client = cluster.client()
    await client.put('after-garbage', 'ok')
    expect((await client.get('after-garbage'))?.toString()).toBe('ok')
    expect((await client.get('still'))?.toString()).toBe('works')
    await client.close()
    const lead = await cluster.waitForLeader()
    const st = await cluster.status(lead)
    await cluster.waitForApplied(st.commitIndex, [1, 2, 3])
    for (const id of [1, 2, 3]) expect(cluster.isRunning(id)).toBe(true)
  })
})
