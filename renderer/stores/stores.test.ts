import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ClusterEvent, NodeView } from '../../main/control/types'
import { installApi } from '../api'
import { createFakeCluster, FakeControlError, type FakeCluster } from '../testing/fake-cluster'
import { useClusterStore } from './cluster'
import { MAX_EVENTS, useEventsStore } from './events'
import { axisPercent, indexRange } from './index-range'
import { useKvStore } from './kv'
import { useMembershipStore } from './membership'

let fake: FakeCluster
beforeEach(() => {
  setActivePinia(createPinia())
})
function withFake(launched: boolean): FakeCluster {
  fake = createFakeCluster({ launched })
  installApi(fake.api)
  return fake
}
const flush = () => new Promise((r) => setTimeout(r, 0))

describe('cluster store', () => {
  it('follows status notifications and derives leader, term and the shared index range', async () => {
    withFake(true)
    const cluster = useClusterStore()
    cluster.connect()
    await flush()
    fake.tick()
    expect(cluster.running).toBe(true)
    expect(cluster.leader).toBe(fake.view().leader)
    expect(cluster.term).toBe(fake.view().term)
    const lows = cluster.nodes.map((n) => n.status!.firstIndex - 1)
    expect(cluster.range.lo).toBe(Math.min(...lows))
    expect(cluster.range.hi).toBe(Math.max(...cluster.nodes.map((n) => n.status!.lastIndex)))
  })

  it('keeps an action error in words under its key and clears it when the action runs again', async () => {
    withFake(false)
    const cluster = useClusterStore()
    fake.failNext('launch', new FakeControlError('PORT_IN_USE', 'port 7001 is in use'))
    await cluster.launch({ nodes: 3 })
    expect(cluster.errors.launch).toBe('A port is already in use: choose another base port (port 7001 is in use).')
    await cluster.launch({ nodes: 3 })
    expect(cluster.errors.launch).toBeUndefined()
    expect(cluster.running).toBe(true)
  })

  it('shows a replayed sample instead of live while one is set', async () => {
    withFake(true)
    const cluster = useClusterStore()
    cluster.connect()
    await flush()
    const then = fake.view()
    fake.tick()
    cluster.replaying = then
    expect(cluster.view).toBe(then)
    cluster.replaying = null
    expect(cluster.view).toBe(cluster.live)
  })
})

describe('index range', () => {
  it('spans the lowest retained index to the highest last index and clamps positions', () => {
    const node = (first: number, last: number) => ({ status: { firstIndex: first, truncatedIndex: first - 1, lastIndex: last, commitIndex: last } }) as NodeView
    const r = indexRange([node(11, 50), node(21, 110), { status: null } as NodeView])
    expect(r).toEqual({ lo: 10, hi: 110 })
    expect(axisPercent(r, 60)).toBe(50)
    expect(axisPercent(r, 500)).toBe(100)
    expect(indexRange([])).toEqual({ lo: 0, hi: 1 })
  })
})

describe('events store', () => {
  it('fetches what it missed on connection, then follows the topic, in seq order without duplicates', async () => {
    withFake(true)
    const events = useEventsStore()
    events.connect()
    await flush()
    const fetched = events.events.length
    expect(fetched).toBeGreaterThan(0)
    await fake.api.kill({ id: 1 })
    await events.catchUp()
    const seqs = events.events.map((e) => e.seq)
    expect(seqs.length).toBe(fetched + 1)
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    expect(new Set(seqs).size).toBe(seqs.length)
  })

  it('keeps at most MAX_EVENTS', async () => {
    const many: ClusterEvent[] = Array.from({ length: MAX_EVENTS + 10 }, (_, i) => ({ seq: i + 1, timeMs: i, kind: 'healed', detail: {} }))
    const f = withFake(false)
    f.api.events = async () => many
    const events = useEventsStore()
    await events.catchUp()
    expect(events.events.length).toBe(MAX_EVENTS)
    expect(events.events[0]!.seq).toBe(11)
  })
})

describe('kv store', () => {
  it('puts then gets a key, newest answer first', async () => {
    withFake(true)
    const kv = useKvStore()
    await kv.send({ op: 'put', key: 'k', value: 'v' })
    await kv.send({ op: 'get', key: 'k' })
    await kv.send({ op: 'get', key: 'missing' })
    expect(kv.entries.map((e) => e.result)).toEqual([null, 'v', null])
    expect(kv.entries.every((e) => e.error === undefined)).toBe(true)
  })

  it('says in words why an operation failed', async () => {
    withFake(false)
    const kv = useKvStore()
    const entry = await kv.send({ op: 'get', key: 'k' })
    expect(entry.error).toBe('No cluster is running or attached.')
  })
})

describe('membership store', () => {
  it('follows an added node until its applied index reaches the leader\'s', async () => {
    withFake(true)
    const cluster = useClusterStore()
    const membership = useMembershipStore()
    cluster.connect()
    await flush()
    for (let i = 0; i < 10; i++) fake.tick()
    await membership.addNode()
    expect(membership.addedId).toBe(4)
    fake.tick()
    expect(membership.catchUp).toMatchObject({ id: 4, running: true, member: true })
    for (let i = 0; i < 30 && !membership.catchUp!.caughtUp; i++) fake.tick()
    expect(membership.catchUp!.caughtUp).toBe(true)
    expect(membership.voters).toEqual([1, 2, 3, 4])
  })
})
