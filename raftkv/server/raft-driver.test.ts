// The driver loop over fakes: a real RawNode, an in-memory storage and transport.
import { afterEach, describe, expect, it } from 'vitest'
import { ConfChangeType, MessageType, RawNode, StateType } from '../raft/index.js'
import { RaftDriver, type WriteOutcome } from './raft-driver.js'
import type { ReadOutcome } from './reads.js'
import { FakePeers, FakeStorage, rawNodeOver, silentLog, until } from './testing/fakes.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const drivers: RaftDriver[] = []

function leaderDriver(opts: { onFatal?: (err: unknown) => void; peers?: number[] } = {}) {
  const storage = new FakeStorage(opts.peers ?? [1])
  const peers = new FakePeers()
  const rawNode = rawNodeOver(storage, 1)
  rawNode.campaign()
  const driver = new RaftDriver(rawNode, storage, peers, { nodeId: 1, tickMs: 5, log: silentLog(), onFatal: opts.onFatal })
  drivers.push(driver)
  driver.start()
  return { storage, peers, rawNode, driver }
}

function write(driver: RaftDriver, key: string, value: string): Promise<WriteOutcome> {
  return new Promise((resolve) => driver.write({ kind: 'put', key: enc(key), value: enc(value) }, Date.now() + 30_000, resolve))
}

afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop()
})

describe('RaftDriver', () => {
  it('proposes a write, persists it before applying it, and answers once applied', async () => {
    const { storage, driver } = leaderDriver()
    await until(() => driver.isLeader, 'leadership')
    expect(await write(driver, 'k', 'v')).toEqual({ ok: true })
    expect(storage.get(enc('k'))?.toString()).toBe('v')
    const saveAt = storage.journal.findIndex((j) => /^save \d+\.\.\d+$/.test(j) && Number(j.split('..')[1]) >= storage.appliedIndex)
    const applyAt = storage.journal.lastIndexOf(`apply ${storage.appliedIndex}`)
    expect(saveAt).toBeGreaterThanOrEqual(0)
    expect(saveAt).toBeLessThan(applyAt)
  })

  it('batches the writes of one round into consecutive entries and answers each', async () => {
    const { storage, driver } = leaderDriver()
    await until(() => driver.isLeader, 'leadership')
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => write(driver, `k${i}`, `v${i}`)))
    expect(outcomes.every((o) => o.ok)).toBe(true)
    for (let i = 0; i < 20; i++) expect(storage.get(enc(`k${i}`))?.toString()).toBe(`v${i}`)
  })

  it('refuses writes and reads when not the leader', async () => {
    const storage = new FakeStorage([1, 2, 3])
    const driver = new RaftDriver(rawNodeOver(storage, 1), storage, new FakePeers(), { nodeId: 1, tickMs: 1000, log: silentLog() })
    drivers.push(driver)
    driver.start()
    expect(await write(driver, 'k', 'v')).toEqual({ ok: false, reason: 'not-leader' })
    expect(await new Promise<ReadOutcome>((r) => driver.read(Date.now() + 1000, r))).toEqual({ ok: false, reason: 'not-leader' })
  })

  it('serves a linearizable read once applied reaches its read index', async () => {
    const { storage, driver } = leaderDriver()
    await until(() => driver.isLeader, 'leadership')
    await write(driver, 'k', 'v1')
    const outcome = await new Promise<ReadOutcome>((r) => driver.read(Date.now() + 30_000, r))
    expect(outcome).toEqual({ ok: true })
    expect(storage.get(enc('k'))?.toString()).toBe('v1')
  })

  describe('as the leader of three, with async leader writes', () => {
    /** Node 1 leads nodes 2 and 3; node 2 votes and acks every append (a little later, as over a network). */
    async function threeNodeLeader() {
      const storage = new FakeStorage([1, 2, 3])
      const peers = new FakePeers()
      const events: string[] = []
      const rawNode = rawNodeOver(storage, 1)
      const driver = new RaftDriver(rawNode, storage, peers, { nodeId: 1, tickMs: 60_000, log: silentLog() })
      drivers.push(driver)
      let seen = 0
      peers.onSend = () => {
        for (const m of peers.sent.slice(seen)) {
          const last = (m.index ?? 0) + (m.entries?.length ?? 0)
          if (m.msgType === MessageType.MsgAppend) {
            events.push(`append to ${m.to} up to ${last} commit ${m.commit ?? 0} (disk ends at ${storage.lastIndex()})`)
          }
          if (m.to !== 2) continue
          if (m.msgType === MessageType.MsgRequestVote) {
            setImmediate(() => peers.deliver([{ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: m.term }]))
          } else if (m.msgType === MessageType.MsgAppend) {
            setImmediate(() => peers.deliver([{ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: m.term, index: last }]))
          }
        }
        seen = peers.sent.length
      }
      rawNode.campaign()
      driver.start()
      await until(() => driver.isLeader && storage.appliedIndex >= 1, 'leadership and its no-op applied')
      events.length = 0
      storage.journal.length = 0
      return { storage, peers, driver, events }
    }

    it("sends a write's append before its own write and commits it once it and a follower have it on disk", async () => {
      const { storage, driver, events } = await threeNodeLeader()
      const outcome = write(driver, 'k', 'v')
      expect(await outcome).toEqual({ ok: true })
      // Entry 2 went to both followers while the leader's disk ended at 1.
      expect(events.filter((e) => e.startsWith('append to') && e.includes('up to 2 ') && e.endsWith('(disk ends at 1)'))).toHaveLength(2)
      expect(storage.journal).toContain('save 2..2')
      expect(storage.get(enc('k'))?.toString()).toBe('v')
    })

    it('answers a write once committed, before applying it and before broadcasting the commit, with the commit in the apply batch', async () => {
      const { storage, driver, events } = await threeNodeLeader()
      await new Promise<void>((resolve) => driver.write({ kind: 'put', key: enc('k'), value: enc('v') }, Date.now() + 30_000, (o) => {
        events.push(`answered ${o.ok}`) // in the driver's own call, before whatever it does next
        storage.journal.push(`answered, applied ${storage.appliedIndex}`)
        resolve()
      }))
      await until(() => events.some((e) => e.includes('commit 2 ')), 'the commit broadcast')
      const answered = events.indexOf('answered true')
      const broadcast = events.findIndex((e) => e.includes('commit 2 '))
      expect(answered).toBeGreaterThanOrEqual(0)
      expect(answered).toBeLessThan(broadcast)
      // One write after the quorum: the commit index rides in the apply batch, no hard state write of its own.
      expect(storage.journal).toEqual(['save 2..2', 'answered, applied 1', 'commit 2', 'apply 2'])
      expect(storage.applies.every((a) => a.applied <= a.commitOnDisk)).toBe(true)
    })
  })

  it('persists a vote before sending the vote requests', async () => {
    const storage = new FakeStorage([1, 2, 3])
    const peers = new FakePeers()
    let savedWhenSent = -1
    peers.onSend = () => { if (savedWhenSent < 0) savedWhenSent = storage.saved.length }
    const rawNode = rawNodeOver(storage, 1)
    rawNode.campaign()
    const driver = new RaftDriver(rawNode, storage, peers, { nodeId: 1, tickMs: 1000, log: silentLog() })
    drivers.push(driver)
    driver.start()
    await until(() => peers.sent.length >= 2, 'vote requests')
    expect(savedWhenSent).toBeGreaterThanOrEqual(1)
    expect(storage.raft.initialState().hardState.vote).toBe(1)
    expect(peers.sent.every((m) => m.msgType === MessageType.MsgRequestVote || m.msgType === MessageType.MsgRequestPreVote)).toBe(true)
  })

  it('a follower whose leader is reported lost forgets it and starts a pre-vote without waiting out the timeout', async () => {
    const storage = new FakeStorage([1, 2, 3])
    const peers = new FakePeers()
    const rawNode = new RawNode({ id: 1, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: storage.raft, rand: () => 0, preVote: true, checkQuorum: true })
    rawNode.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 1 })
    expect(rawNode.raft.lead).toBe(2)
    const driver = new RaftDriver(rawNode, storage, peers, { nodeId: 1, tickMs: 60_000, log: silentLog() })
    drivers.push(driver)
    driver.start()
    peers.reportLost(3) // not the leader: nothing happens
    expect(rawNode.raft.lead).toBe(2)
    peers.reportLost(2)
    expect(rawNode.raft.lead).toBe(0)
    await until(() => peers.sent.filter((m) => m.msgType === MessageType.MsgRequestPreVote).length === 2, 'pre-votes to 2 and 3')
    expect(rawNode.raft.state).toBe(StateType.PreCandidate)
    expect(rawNode.raft.term).toBe(1)
  })

  describe('a silent leader (hung, its links open)', () => {
    /** Follower `id` of leader 2 in {1, 2, 3}, raft's own timer at 19 ticks; counts ticks and notes the one it campaigned at. */
    function silentFollower(id: number, heartbeatEvery = 0) {
      const storage = new FakeStorage([1, 2, 3])
      const peers = new FakePeers()
      const rawNode = new RawNode({ id, peers: [1, 2, 3], electionTick: 10, heartbeatTick: 1, storage: storage.raft, rand: () => 0.99, preVote: true, checkQuorum: true })
      rawNode.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: id, term: 1 })
      const seen = { ticks: 0, campaignedAt: -1 }
      const tick = rawNode.tick.bind(rawNode)
      rawNode.tick = () => {
        seen.ticks++
        if (heartbeatEvery > 0 && seen.ticks % heartbeatEvery === 0) rawNode.step({ msgType: MessageType.MsgHeartbeat, from: 2, to: id, term: 1 })
        tick()
      }
      const campaign = rawNode.campaign.bind(rawNode)
      rawNode.campaign = () => {
        if (seen.campaignedAt < 0) seen.campaignedAt = seen.ticks
        campaign()
      }
      const driver = new RaftDriver(rawNode, storage, peers, { nodeId: id, tickMs: 2, log: silentLog() })
      drivers.push(driver)
      driver.start()
      return { rawNode, peers, seen }
    }

    it('the first follower by rank starts a pre-vote one tick past the election timeout, the next one a tick later', async () => {
      const first = silentFollower(1)
      const second = silentFollower(3)
      await until(() => first.seen.campaignedAt >= 0 && second.seen.campaignedAt >= 0, 'both campaigns')
      expect([first.seen.campaignedAt, second.seen.campaignedAt]).toEqual([11, 12])
      expect(first.rawNode.raft.state).toBe(StateType.PreCandidate)
      expect(first.rawNode.raft.term).toBe(1)
      expect(first.peers.sent.filter((m) => m.msgType === MessageType.MsgRequestPreVote).map((m) => m.to).sort()).toEqual([2, 3])
    })

    it('a follower that keeps hearing its leader never campaigns', async () => {
      const f = silentFollower(1, 5)
      await until(() => f.seen.ticks >= 60, '60 ticks')
      expect(f.seen.campaignedAt).toBe(-1)
      expect(f.rawNode.raft.state).toBe(StateType.Follower)
      expect(f.rawNode.raft.lead).toBe(2)
    })
  })

  it('hands a storage failure to onFatal and stops: nothing more is proposed or answered', async () => {
    const fatal: unknown[] = []
    const { storage, driver } = leaderDriver({ onFatal: (e) => fatal.push(e) })
    await until(() => driver.isLeader, 'leadership')
    const boom = new Error('disk gone')
    storage.failNextSave = boom
    const pending = write(driver, 'k', 'v')
    await until(() => fatal.length > 0, 'onFatal')
    expect(fatal).toEqual([boom])
    expect(await write(driver, 'k2', 'v2')).toEqual({ ok: false, reason: 'stopped' })
    await driver.stop()
    expect(await pending).toEqual({ ok: false, reason: 'stopped' })
    expect(storage.get(enc('k'))).toBeUndefined()
  })

  it('applies a membership change, tells the transport the new peers, and answers it', async () => {
    const { storage, peers, driver } = leaderDriver()
    await until(() => driver.isLeader, 'leadership')
    const outcome = await new Promise<WriteOutcome>((r) => driver.changePeer(ConfChangeType.AddNode, { id: 2, addr: '127.0.0.1:7002' }, Date.now() + 30_000, r))
    expect(outcome).toEqual({ ok: true })
    expect(storage.regionState.region.peers.map((p) => p.id)).toEqual([1, 2])
    expect([...peers.peers]).toEqual([[2, '127.0.0.1:7002']])
    expect(driver.rawNode.isMember(2)).toBe(true)
  })

  it('proposes CompactLog once the applied log outgrows the count limit, and the apply truncates', async () => {
    const storage = new FakeStorage([1])
    const rawNode = rawNodeOver(storage, 1)
    rawNode.campaign()
    const driver = new RaftDriver(rawNode, storage, new FakePeers(), { nodeId: 1, tickMs: 5, log: silentLog(), gcCountLimit: 10 })
    drivers.push(driver)
    driver.start()
    await until(() => driver.isLeader, 'leadership')
    for (let i = 0; i < 15; i++) await write(driver, `k${i}`, 'v')
    await until(() => storage.truncatedIndex > 0, 'a truncation')
    expect(driver.counters.compactLogProposed).toBeGreaterThanOrEqual(1)
    expect(storage.truncatedIndex).toBeLessThanOrEqual(storage.appliedIndex)
    expect(rawNode.basicStatus().raftState).toBe(StateType.Leader)
  })
})
