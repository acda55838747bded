import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { kvpb } from '../../proto/generated/protos.js'
import { FakeCluster } from '../../test/support/fake-kv-server.js'
import { ClientError, ConnectionError, DeadlineExceededError, KvServerError } from './errors.js'
import { RaftKvClient } from './kv-client.js'

const TOKEN = 'secret-token'

let cluster: FakeCluster
const clients: RaftKvClient[] = []

function client(endpoints: string[], timeoutMs = 3000, token = TOKEN, attemptTimeoutMs?: number): RaftKvClient {
  // Backoff without jitter (always the full delay), so that retries are counted the same on every run.
  const c = new RaftKvClient({ endpoints, token, timeoutMs, random: () => 1, attemptTimeoutMs })
  clients.push(c)
  return c
}

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(ClientError)
    return err as ClientError
  }
  throw new Error('expected the call to fail')
}

beforeEach(async () => {
  cluster = await FakeCluster.start({ nodes: 3, token: TOKEN })
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await cluster.close()
})

describe('RaftKvClient', () => {
  it('puts, gets, deletes and scans, finding the leader from a follower hint', async () => {
    const c = client([cluster.node(2).addr, cluster.node(3).addr, cluster.node(1).addr])
    await c.put('a', 'one')
    await c.put(Buffer.from('b'), Buffer.from([0, 1, 2]))
    expect(c.leader).toBe(cluster.node(1).addr)
    expect((await c.get('a'))!.toString()).toBe('one')
    expect([...(await c.get('b'))!]).toEqual([0, 1, 2])
    expect(await c.get('missing')).toBeNull()
    await c.put('c', 'three')
    const all = await c.scan()
    expect(all.pairs.map((p) => p.key.toString())).toEqual(['a', 'b', 'c'])
    const page = await c.scan('b', '', { limit: 1 })
    expect(page.pairs.map((p) => p.key.toString())).toEqual(['b'])
    expect(page.more).toBe(true)
    await c.delete('a')
    expect(await c.get('a')).toBeNull()
    // The first call went to node 2, which answered NotLeader; everything else went straight to node 1.
    expect(cluster.node(2).received).toHaveLength(1)
    expect(cluster.node(3).received).toHaveLength(0)
  })

  it('scans a range page by page, each page starting after the last key of the one before', async () => {
    const c = client([cluster.node(1).addr])
    for (const k of ['a', 'b', 'b\u0000', 'c', 'd', 'e']) await c.put(k, `v-${k}`)
    const pages: string[][] = []
    for await (const page of c.scanPages('b', 'e', { limit: 2 })) pages.push(page.map((p) => p.key.toString()))
    expect(pages).toEqual([['b', 'b\u0000'], ['c', 'd']])
    const all: string[] = []
    for await (const page of c.scanPages('', '', { limit: 4 })) all.push(...page.map((p) => p.key.toString()))
    expect(all).toEqual(['a', 'b', 'b\u0000', 'c', 'd', 'e'])
  })

  it('follows a hint to a node that is not among its endpoints', async () => {
    cluster.setLeader(3)
    const c = client([cluster.node(1).addr])
    await c.put('k', 'v')
    expect(c.leader).toBe(cluster.node(3).addr)
    expect(cluster.node(3).received).toHaveLength(1)
  })

  it('goes round the endpoints, with backoff, while nobody can name the leader', async () => {
    cluster.hints = false
    cluster.setLeader(3)
    const c = client(cluster.endpoints)
    await c.put('k', 'v')
    expect(c.leader).toBe(cluster.node(3).addr)
    expect(cluster.node(1).received.length).toBeGreaterThanOrEqual(1)
    expect(cluster.node(2).received.length).toBeGreaterThanOrEqual(1)
  })

  it('retries StaleCommand and ServerBusy: both are definite refusals', async () => {
    cluster.node(1).respondNext({ kind: 'staleCommand' }, { kind: 'error', code: kvpb.ErrorCode.SERVER_BUSY }, { kind: 'staleCommand' })
    const c = client([cluster.node(1).addr])
    await c.put('k', 'v')
    expect(cluster.node(1).received).toHaveLength(4)
    expect(cluster.store.get('k')!.toString()).toBe('v')
  })

  it('retries a read whose connection drops, on a new connection', async () => {
    cluster.store.set('k', Buffer.from('v'))
    cluster.node(1).respondNext({ kind: 'dropConnection', apply: false })
    const c = client([cluster.node(1).addr])
    expect((await c.get('k'))!.toString()).toBe('v')
    expect(cluster.node(1).kvConnections).toBe(2)
  })

  it('does not retry a write whose connection dropped after sending: the outcome is unknown', async () => {
    cluster.node(1).respondNext({ kind: 'dropConnection', apply: true })
    const c = client([cluster.node(1).addr])
    const err = await failure(c.put('k', 'v'))
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.code).toBe('CONNECTION')
    expect(err.unknownOutcome).toBe(true)
    expect(cluster.node(1).received).toHaveLength(1)
    // It did apply: "unknown" was the honest answer.
    expect(cluster.store.get('k')!.toString()).toBe('v')
  })

  it('does not retry a write the node answered with TIMEOUT, but retries such a read', async () => {
    const c = client([cluster.node(1).addr])
    cluster.node(1).respondNext({ kind: 'error', code: kvpb.ErrorCode.TIMEOUT })
    const err = await failure(c.put('k', 'v'))
    expect(err).toBeInstanceOf(KvServerError)
    expect(err).toMatchObject({ code: 'TIMEOUT', unknownOutcome: true })
    cluster.node(1).respondNext({ kind: 'error', code: kvpb.ErrorCode.TIMEOUT })
    expect(await c.get('k')).toBeNull()
    expect(cluster.node(1).received).toHaveLength(3)
  })

  it('fails at the deadline with an unknown outcome when a write is sent and unanswered', async () => {
    cluster.node(1).respondNext({ kind: 'delay', ms: 5000 })
    const c = client([cluster.node(1).addr], 200)
    const err = await failure(c.put('k', 'v'))
    expect(err).toBeInstanceOf(DeadlineExceededError)
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED', unknownOutcome: true })
  })

  it('fails at the deadline with a definite refusal when no leader ever takes the write', async () => {
    cluster.hints = false
    cluster.setLeader(null)
    const c = client(cluster.endpoints, 300)
    const err = await failure(c.put('k', 'v'))
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED', unknownOutcome: false })
    expect((err.cause as ClientError).code).toBe('NOT_LEADER')
    expect(cluster.store.size).toBe(0)
    // Backoff 10, 20, 40, 80 ms; the next (160 ms) would pass the deadline: at most five
    // attempts (fewer when a busy machine makes each round trip slow), each one a request
    // that reached a node.
    const attempts = (err as DeadlineExceededError).attempts
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(attempts).toBeLessThanOrEqual(5)
    expect([1, 2, 3].reduce((n, id) => n + cluster.node(id).received.length, 0)).toBe(attempts)
  })

  it('fails fast, outcome known, naming the endpoints, when no endpoint accepts connections', async () => {
    const dead = [cluster.node(2).addr, cluster.node(3).addr]
    await cluster.node(2).close()
    await cluster.node(3).close()
    const c = client(dead, 10_000)
    const started = performance.now()
    const err = await failure(c.put('k', 'v'))
    expect(err).toMatchObject({ code: 'CONNECTION', unknownOutcome: false })
    expect(err.message).toContain(`no endpoint is reachable (${dead.join(', ')})`)
    expect(err.message).toContain('ECONNREFUSED')
    // Two rounds of refusals with short backoff, nowhere near the 10 s deadline.
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('moves a read that gets no answer within the attempt bound to the next node', async () => {
    cluster.store.set('k', Buffer.from('v'))
    cluster.node(1).respondNext({ kind: 'noReply', apply: false })
    const c = client([cluster.node(1).addr, cluster.node(2).addr], 10_000, TOKEN, 200)
    const started = performance.now()
    expect((await c.get('k'))!.toString()).toBe('v')
    expect(performance.now() - started).toBeLessThan(5000)
    // Node 2 answered NotLeader naming node 1, whose next attempt was answered.
    expect(cluster.node(2).received.length).toBeGreaterThanOrEqual(1)
    expect(cluster.node(1).received.length).toBeGreaterThanOrEqual(2)
  })

  it('ends a sent write at the attempt bound with an unknown outcome, long before the deadline', async () => {
    cluster.node(1).respondNext({ kind: 'noReply', apply: true })
    const c = client([cluster.node(1).addr, cluster.node(2).addr], 10_000, TOKEN, 200)
    const started = performance.now()
    const err = await failure(c.put('k', 'v'))
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED', unknownOutcome: true, timeoutMs: 200 })
    expect(performance.now() - started).toBeLessThan(5000)
    expect(cluster.node(1).received).toHaveLength(1)
  })

  it('after a write left unanswered by a hung leader, the next call starts elsewhere and ignores hints at it', async () => {
    const hung = cluster.node(1)
    const c = client([hung.addr, cluster.node(2).addr, cluster.node(3).addr], 10_000, TOKEN, 200)
    await c.put('k', 'v0')
    expect(c.leader).toBe(hung.addr)
    hung.respondNext({ kind: 'noReply', apply: false })
    expect(await failure(c.put('k', 'v1'))).toMatchObject({ code: 'DEADLINE_EXCEEDED', unknownOutcome: true })
    // Node 2 still names the hung node as leader; node 3 has taken over.
    cluster.node(2).respondNext({ kind: 'notLeader', leaderId: 1, leaderAddr: hung.addr })
    cluster.setLeader(3)
    await c.put('k', 'v2')
    expect(c.leader).toBe(cluster.node(3).addr)
    expect(hung.received).toHaveLength(2)
  })

  it('skips a dead endpoint and carries on with the others', async () => {
    const dead = cluster.node(2).addr
    await cluster.node(2).close()
    const c = client([dead, cluster.node(1).addr])
    await c.put('k', 'v')
    expect(c.leader).toBe(cluster.node(1).addr)
  })

  it('gives up at once on a wrong token (HTTP 401) and on requests the node refuses', async () => {
    const wrong = client([cluster.node(1).addr], 3000, 'not-the-token')
    const started = performance.now()
    const err = await failure(wrong.get('k'))
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', unknownOutcome: false })
    expect(performance.now() - started).toBeLessThan(2500)

    const c = client([cluster.node(1).addr])
    cluster.node(1).respondNext({ kind: 'error', code: kvpb.ErrorCode.KEY_TOO_LARGE, message: 'key over 4096 bytes' })
    const tooLarge = await failure(c.put('k', 'v'))
    expect(tooLarge).toMatchObject({ code: 'KEY_TOO_LARGE', unknownOutcome: false, message: 'key over 4096 bytes' })
    expect(cluster.node(1).received).toHaveLength(1)
  })

  it('multiplexes concurrent calls over one socket, answers matched by id', async () => {
    const c = client([cluster.node(1).addr])
    cluster.node(1).respondNext({ kind: 'delay', ms: 300 })
    const slow = c.put('slow', 'x')
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.put(`k${i}`, `v${i}`)))
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => c.get(`k${i}`)))
    expect(values.map((v) => v!.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`))
    await slow
    expect(cluster.node(1).kvConnections).toBe(1)
  })

  it('close() fails the calls in flight with CLOSED', async () => {
    const c = client([cluster.node(1).addr])
    await c.put('k', 'v')
    cluster.node(1).respondNext({ kind: 'noReply', apply: false })
    const pending = failure(c.get('k'))
    // Wait until the node holds the request, then close.
    for (let i = 0; i < 200 && cluster.node(1).received.length < 2; i++) await new Promise((r) => setTimeout(r, 5))
    await c.close()
    expect((await pending).code).toBe('CLOSED')
  })
})
