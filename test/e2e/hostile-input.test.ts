// The inputs of issue 7 that used to stop a cluster (two of them for good), each sent to
// real node processes by someone holding the cluster token. After each one the cluster
// must still run every node, keep a small term and serve linearizable reads and writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { LocalCluster, sleep } from '../harness/cluster.js'
import { expectHealthy } from '../harness/health.js'
import { adminResponses, adminSocket, changePeerFrame, raftFrame, raftSocket, type RawSocket } from '../harness/raw-wire.js'
import { adminpb, eraftpb } from '../../proto/generated/protos.js'
import { encodeConfChange } from '../../raftkv/raft/index.js'
import { encodeConfChangeEntry } from '../../raftkv/server/commands.js'
import { AdminCommandError } from '../../raftkv/client/index.js'

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'raftkv.js')
const Code = adminpb.AdminErrorCode
const MT = eraftpb.MessageType

describe('inputs that used to stop the cluster', () => {
  let cluster: LocalCluster
  const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, '--endpoints', cluster.endpoints.join(',')], { env: { ...process.env, RAFTKV_TOKEN: cluster.token } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }))
  })
  const logged = (id: number, event: string): Record<string, unknown>[] => cluster.logsOf(id).filter((l) => l.event === event)
  const waitLogged = async (ids: number[], event: string, n = 1): Promise<void> => {
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && !ids.every((id) => logged(id, event).length >= n)) await sleep(50)
    for (const id of ids) expect(logged(id, event).length, `${event} on node ${id}`).toBeGreaterThanOrEqual(n)
  }
  /** Makes node 3 the leader, so that a socket claiming node 1 can talk to it directly. */
  const leaderIs3 = async (): Promise<void> => {
    expect(await cluster.transferLeader(3)).toBe(3)
  }

  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3 }) })
  afterAll(async () => { await cluster?.stop() })

  it('1. refuses out-of-range member ids at every door, and skips a committed conf change that cannot take effect', async () => {
    // The CLI: an id that is not exact as a number is bad usage.
    const cliAdd = await cli('member', 'add', '9007199254740993', '127.0.0.1:1')
    expect(cliAdd.code, cliAdd.stderr).toBe(2)
    expect(cliAdd.stderr).toContain('below 2^53')

    // /admin: 2^64-1 and 2^53 are refused before anything is proposed.
    const lead = await cluster.waitForLeader()
    const admin = await adminSocket(cluster.nodes.get(lead)!.addr, cluster.token)
    admin.ws.send(changePeerFrame(1n, 'add', 2n ** 64n - 1n, '127.0.0.1:1'))
    admin.ws.send(changePeerFrame(2n, 'add', 2n ** 53n, '127.0.0.1:1'))
    admin.ws.send(changePeerFrame(3n, 'add', 0n, '127.0.0.1:1'))
    const answers = await adminResponses(admin, 3)
    expect(answers.map((r) => [r.id, r.errorCode])).toEqual([[1, Code.BAD_REQUEST], [2, Code.BAD_REQUEST], [3, Code.BAD_REQUEST]])
    admin.ws.close()
    expect((await cluster.status(lead)).members.map((m) => m.id)).toEqual([1, 2, 3])

    // A conf change that got into the log anyway (proposed over /raft by a token holder
    // posing as node 1): committed, refused and skipped on every node, nobody exits.
    await leaderIs3()
    const bad: eraftpb.ConfChange.$Properties[] = [
      { changeType: eraftpb.ConfChangeType.AddNode, nodeId: 2 ** 53 },
      encodeConfChangeEntry({ peerId: 1, proposalId: 0 }, eraftpb.ConfChangeType.AddNode, { id: 7, addr: 'bad_host!:1' }),
    ]
    for (const [i, cc] of bad.entries()) {
      const raft = await raftSocket(cluster.nodes.get(3)!.addr, cluster.token, 1)
      raft.ws.send(raftFrame(1, 3, [{ msgType: MT.MsgPropose, from: 1, to: 3, entries: [{ entryType: eraftpb.EntryType.EntryConfChange, data: encodeConfChange(cc) }] }]))
      await waitLogged([1, 2, 3], 'conf-change-refused', i + 1)
      raft.ws.terminate()
    }
    for (const id of [1, 2, 3]) expect((await cluster.status(id)).members.map((m) => m.id)).toEqual([1, 2, 3])
    await expectHealthy(cluster)
    // A restart reads the same membership back from disk.
    await cluster.restart(2)
    await expectHealthy(cluster)
  })

  it('2. drops raft messages whose inner from is not the connection\'s peer, and terms past the bound', async () => {
    const node3 = cluster.nodes.get(3)!.addr
    const raft = await raftSocket(node3, cluster.token, 1)
    raft.ws.send(raftFrame(1, 3, [
      { msgType: MT.MsgAppend, from: 99, to: 3, term: 2 ** 40, index: 0, logTerm: 0, commit: 0 },
      { msgType: MT.MsgHeartbeat, from: 1, to: 3, term: 2 ** 53 - 1 },
      { msgType: MT.MsgRequestPreVote, from: 1, to: 3, term: 2 ** 49, index: 1 << 30, logTerm: 2 ** 49 },
    ]))
    const deadline = Date.now() + 15_000
    let counters: Record<string, number> = {}
    while (Date.now() < deadline) {
      counters = (await cluster.status(3)).counters
      if ((counters['transport.dropped.spoofed'] ?? 0) >= 1 && (counters['transport.dropped.outOfBound'] ?? 0) >= 2) break
      await sleep(50)
    }
    expect(counters['transport.dropped.spoofed']).toBeGreaterThanOrEqual(1)
    expect(counters['transport.dropped.outOfBound']).toBeGreaterThanOrEqual(2)
    await waitLogged([3], 'raft-messages-refused')
    const warned = logged(3, 'raft-messages-refused')
    expect(warned[0]).toMatchObject({ peer: 1, spoofed: 1, outOfBound: 2 })
    raft.ws.terminate()
    await expectHealthy(cluster)
  })

  it('3. clamps status stream intervals and caps streams per connection and per node', async () => {
    const addr = cluster.nodes.get(1)!.addr
    // 2^32-1 ms used to overflow Node's timer into 1 ms: now it is clamped to 60 s.
    const slow = await adminSocket(addr, cluster.token)
    slow.ws.send(adminpb.AdminRequest.encode({ id: 1, watchStatus: { intervalMs: 2 ** 32 - 1 } }).finish())
    await adminResponses(slow, 1)
    await sleep(1000)
    expect(slow.frames.length).toBe(1)
    // 1 ms is clamped to 50 ms: a second of it is at most ~20 frames (fewer on a busy machine).
    const fast = await adminSocket(addr, cluster.token)
    fast.ws.send(adminpb.AdminRequest.encode({ id: 1, watchStatus: { intervalMs: 1 } }).finish())
    await adminResponses(fast, 1)
    const before = fast.frames.length
    await sleep(1000)
    expect(fast.frames.length - before).toBeLessThanOrEqual(25)
    // Per connection: four streams, the fifth is refused.
    for (let id = 2; id <= 5; id++) fast.ws.send(adminpb.AdminRequest.encode({ id, watchStatus: { intervalMs: 1000 } }).finish())
    await sleep(300)
    const refusedHere = fast.frames.map((f) => adminpb.AdminResponse.decode(f)).filter((r) => r.errorCode === Code.SERVER_BUSY)
    expect(refusedHere.map((r) => r.id)).toEqual([5])
    // Per node: 64 streams; past that each is refused.
    const many: RawSocket[] = []
    for (let i = 0; i < 20; i++) {
      const s = await adminSocket(addr, cluster.token)
      for (let id = 1; id <= 4; id++) s.ws.send(adminpb.AdminRequest.encode({ id, watchStatus: { intervalMs: 50 } }).finish())
      many.push(s)
    }
    await sleep(500)
    const busy = many.flatMap((s) => s.frames.map((f) => adminpb.AdminResponse.decode(f))).filter((r) => r.errorCode === Code.SERVER_BUSY)
    // 1 (slow) + 4 (fast) streams ran already, and the harness's Supervisor may watch too:
    // at most 59 of these 80 fit.
    expect(busy.length).toBeGreaterThanOrEqual(80 - 59)
    expect(busy.length).toBeLessThanOrEqual(80 - 59 + 4)
    // The node's own work goes on under the maximum of streams.
    await expectHealthy(cluster)
    for (const s of [slow, fast, ...many]) s.ws.close()

    // Connections per node on /admin: 128, then 503.
    const conns: RawSocket[] = []
    let refused = 0
    for (let i = 0; i < 140; i++) {
      try {
        conns.push(await adminSocket(addr, cluster.token))
      } catch (e) {
        expect(String(e)).toContain('HTTP 503')
        refused++
      }
    }
    expect(conns.length).toBeLessThanOrEqual(128)
    expect(refused).toBeGreaterThanOrEqual(12)
    for (const s of conns) s.ws.terminate()
    await sleep(300)
    await expectHealthy(cluster)
  })

  it('4. validates /admin input: addresses, non-members, request ids', async () => {
    const lead = await cluster.waitForLeader()
    const addr = cluster.nodes.get(lead)!.addr
    const s = await adminSocket(addr, cluster.token)
    s.ws.send(changePeerFrame(1n, 'add', 4n, `${'h'.repeat(10 * 1024)}:7001`))
    s.ws.send(changePeerFrame(2n, 'add', 4n, 'no-port'))
    s.ws.send(changePeerFrame(3n, 'remove', 42n, ''))
    s.ws.send(changePeerFrame(2n ** 53n + 2n, 'remove', 42n, ''))
    const r = await adminResponses(s, 4)
    expect(r.map((x) => [x.id, x.errorCode])).toEqual([[1, Code.BAD_REQUEST], [2, Code.BAD_REQUEST], [3, Code.NOT_MEMBER], [0, Code.BAD_REQUEST]])
    expect(r[3]!.errorMessage).toContain('2^53')
    s.ws.close()
    // The client library gets the typed error.
    const a = cluster.admin(lead)
    try {
      const err = await a.changePeer('remove', 42).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(AdminCommandError)
      expect(err).toMatchObject({ serverCode: 'NOT_MEMBER' })
    } finally {
      await a.close()
    }
    expect((await cluster.status(lead)).members.map((m) => m.id)).toEqual([1, 2, 3])
    // A follower's NOT_LEADER redirect is counted apart from errors.
    const follower = [1, 2, 3].find((id) => id !== lead)!
    const before = (await cluster.status(follower)).counters
    const c = cluster.client({ endpoints: cluster.endpointsOf([follower, lead]) })
    try {
      await c.put('redirected', 'ok')
    } finally {
      await c.close()
    }
    const after = (await cluster.status(follower)).counters
    expect(after['kv.notLeader']! - before['kv.notLeader']!).toBe(1)
    expect(after['kv.errors']).toBe(before['kv.errors'])
    await expectHealthy(cluster)
  })

  it('5. makes a peer prove its id on /raft, and logs a takeover loudly', async () => {
    const node3 = cluster.nodes.get(3)!.addr
    // The token alone no longer opens a peer link.
    await expect(raftSocket(node3, cluster.token, 1, null)).rejects.toThrow('HTTP 403')
    // Nor does node 2's credential for node 1's id.
    const { peerCredential } = await import('../../raftkv/transport/index.js')
    await expect(raftSocket(node3, cluster.token, 1, peerCredential(cluster.token, 2))).rejects.toThrow('HTTP 403')
    const takenBefore = logged(3, 'peer-link-taken-over').length
    // With node 1's credential the link is replaced: loudly, with both remote addresses.
    const thief = await raftSocket(node3, cluster.token, 1)
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && logged(3, 'peer-link-taken-over').length === takenBefore) await sleep(50)
    const line = logged(3, 'peer-link-taken-over').at(-1)
    expect(line).toMatchObject({ peer: 1 })
    expect([40, 'warn']).toContain(line?.level)
    expect(line?.newRemote).toBeTruthy()
    // The real node 1 dials again and takes its link back (the thief is closed with 4000).
    expect((await thief.closed).code).toBe(4000)
    await expectHealthy(cluster)
  })
})
