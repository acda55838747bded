// Snapshots under faults and bad input: with 10% message loss and delays a lagging
// follower still gets its snapshot and the recorded history stays linearizable; corrupted
// chunks, a wrong checksum, an unknown region, a copy that is no database and an
// unauthorized connection are refused
// with a clear reason and nothing is applied.
import { crc32 } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import WebSocket from 'ws'
import { LocalCluster, sleep } from '../harness/cluster.js'
import { runLoad, MemoryHistory } from '../../raftkv/client/index.js'
import { checkLinearizability } from '../../raftkv/check/index.js'
import { seededRandom } from '../support/random-history.js'
import { SnapshotSender } from '../../raftkv/transport/index.js'
import { encodeSnapshotData } from '../../raftkv/storage/index.js'
import { MessageType } from '../../raftkv/raft/index.js'

describe('snapshots under faults', () => {
  let cluster: LocalCluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  it('completes a snapshot under 10% loss and delays, and the history is linearizable', async () => {
    cluster = await LocalCluster.start({ size: 3, extraArgs: ['--raft-log-gc-count-limit', '50'] })
    const lead = await cluster.waitForLeader()
    const victim = [1, 2, 3].find((id) => id !== lead)!
    await cluster.kill(victim)
    const history = new MemoryHistory()
    const rand = seededRandom(4242)
    // Phase 1: the victim is down; load runs (in rounds, bounded) until GC went past it.
    // Bounded by work, not by a window: a slow machine takes more rounds, not a red test.
    let truncated = 0
    for (let round = 0; round < 40 && truncated <= 50; round++) {
      await runLoad({ endpoints: cluster.endpoints, token: cluster.token, clients: 8, durationMs: 1000, keys: 10, getRatio: 0.4, history, random: rand, timeoutMs: 4000, processBase: 2000 + round * 8 })
      truncated = (await cluster.status(lead)).truncatedIndex
    }
    expect(truncated).toBeGreaterThan(50)
    // Phase 2: lossy network everywhere, the victim comes back under load. The load runs
    // at least 5 s and until 400 operations completed (at most 60 s), so that the history
    // checked is large enough whatever the machine's speed.
    await cluster.setFaultsAll({ blockedPeers: [], dropRate: 0.1, delayMs: 5, jitterMs: 25 })
    const enough = new AbortController()
    const load = runLoad({
      endpoints: cluster.endpoints, token: cluster.token, clients: 8, durationMs: 60_000, keys: 10, getRatio: 0.4, history, random: rand,
      timeoutMs: 4000, processBase: 1000, progressIntervalMs: 250, signal: enough.signal,
      onProgress: (p) => { if (p.elapsedMs >= 5000 && p.completed >= 400) enough.abort() },
    })
    await cluster.startNode(victim)
    const a = cluster.admin(victim)
    await a.setFaults({ blockedPeers: [], dropRate: 0.1, delayMs: 5, jitterMs: 25 })
    await a.close()
    await load
    await cluster.heal()
    const ls = await cluster.status(await cluster.waitForLeader())
    await cluster.waitForApplied(ls.commitIndex, [victim], 30_000)
    const vs = await cluster.status(victim)
    expect(vs.snapshots.applied).toBeGreaterThanOrEqual(1)
    const result = checkLinearizability(history.events)
    expect(result.verdict, result.explanation).toBe('ok')
    expect(result.operations).toBeGreaterThan(300)
  })

  it('refuses corrupted, mis-addressed and unauthorized snapshots and applies nothing', async () => {
    cluster = await LocalCluster.start({ size: 3 })
    const lead = await cluster.waitForLeader()
    const c = cluster.client()
    for (let i = 0; i < 10; i++) await c.put(`keep${i}`, 'v')
    await c.close()
    const target = [1, 2, 3].find((id) => id !== lead)!
    const addr = cluster.nodes.get(target)!.addr
    const before = await cluster.status(target)

    // No token: the upgrade is refused.
    await expect(new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${addr}/snapshot`, { headers: { 'x-raftkv-from': String(lead) } })
      ws.once('open', () => resolve('open'))
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      ws.once('error', reject)
    })).rejects.toThrow('HTTP 401')

    const region = { id: 1, confVer: 0, version: 0, peers: [1, 2, 3].map((id) => ({ id, addr: cluster!.nodes.get(id)!.addr })) }
    // A forged copy: one file, CURRENT, naming a MANIFEST that is not there.
    const chunk = Buffer.from('MANIFEST-000042\n')
    const file = { name: 'CURRENT', size: chunk.length, crc32: crc32(chunk) >>> 0 }
    const good = { region, dataSize: chunk.length, kvCount: 1, chunkCount: 1, snapshotId: 'forged', files: [file] }
    const sender = new SnapshotSender({ nodeId: lead, token: cluster.token, logger: pino({ level: 'silent' }), idleTimeoutMs: 5000 })
    const send = (descriptor: typeof good, data: Uint8Array) => sender.send({
      peerId: target, addr, chunks: [data], totalChunks: 1, totalBytes: data.length, timeoutMs: 10_000,
      message: { msgType: MessageType.MsgSnapshot, from: lead, to: target, term: before.term, snapshot: { data: encodeSnapshotData(descriptor), metadata: { index: before.appliedIndex + 1000, term: before.term, confState: { nodes: [1, 2, 3] } } } },
    })
    await expect(send({ ...good, files: [{ ...file, crc32: file.crc32 ^ 1 }] }, chunk)).rejects.toThrow(/CRC-32/) // wrong checksum
    await expect(send(good, Buffer.from('a chunk longer than the file it is for'))).rejects.toThrow(/does not fit/) // corrupted chunk
    await expect(send({ ...good, region: { ...region, id: 7 } }, chunk)).rejects.toThrow(/region/) // unknown region
    await expect(send(good, chunk)).rejects.toThrow(/does not open as a database|holds no state/) // whole, but no database
    await sender.close()

    const after = await cluster.status(target)
    expect(after.snapshots.applied).toBe(0)
    expect(after.snapshots.failed).toBeGreaterThanOrEqual(3)
    expect(after.appliedIndex).toBeLessThan(before.appliedIndex + 1000)
    expect(after.snapshots.transfers.filter((t) => t.direction === 'receive').every((t) => t.state === 'failed' && t.reason.length > 0)).toBe(true)
    // The node is unharmed: it still follows and has the data, not the forged key.
    const c2 = cluster.client({ endpoints: cluster.endpointsOf([lead]) })
    await c2.put('after', 'ok')
    await sleep(200)
    expect(await cluster.transferLeader(target)).toBe(target)
    const c3 = cluster.client({ endpoints: cluster.endpointsOf([target]) })
    expect(await c3.get('evil')).toBeNull()
    expect((await c3.get('keep3'))?.toString()).toBe('v')
    expect((await c3.get('after'))?.toString()).toBe('ok')
    await c2.close()
    await c3.close()
  })
})
