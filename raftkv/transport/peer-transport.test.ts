import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { eraftpb } from '../../proto/generated/protos.js'
import { CloseCode, ID_HEADER, MAX_WIRE_TERM } from './constants.js'
import { InvalidArgumentError, InvalidFaultsError, ServerStateError } from './errors.js'
import { PeerTransport } from './peer-transport.js'
import { encodeRaftFrames } from './raft-codec.js'
import { probePeer } from './probe-peer.js'
import type { TransportServer } from './server.js'
import { Harness, TOKEN, captureLogger, closed, cycleRng, freePort, msg, opened, waitFor } from './testing/helpers.js'

const h = new Harness()
afterEach(() => h.closeAll())

/** Collects what a node receives, frame by frame. */
function inbox(server: TransportServer): { frames: eraftpb.Message[][]; all: () => eraftpb.Message[] } {
  const frames: eraftpb.Message[][] = []
  server.peers.onMessages((msgs) => frames.push(msgs))
  return { frames, all: () => frames.flat() }
}

/** Starts nodes 1..n and gives each the full membership. */
async function cluster(n: number, peer: Parameters<Harness['node']>[1] = {}) {
  const nodes = []
  for (let id = 1; id <= n; id++) nodes.push(await h.node(id, peer))
  const members = new Map(nodes.map((node, i) => [i + 1, `127.0.0.1:${node.port}`]))
  for (const node of nodes) node.server.peers.setPeers(members)
  return nodes
}

function connected(server: TransportServer, peer: number): boolean {
  return server.peers.stats().peers.find((p) => p.id === peer)?.connected ?? false
}

describe('PeerTransport over /raft', () => {
  it('carries messages both ways over exactly one socket per pair, one frame per send() and peer', async () => {
    const nodes = await cluster(3)
    const boxes = nodes.map((n) => inbox(n.server))
    const [n1, n2, n3] = nodes.map((n) => n.server.peers)
    // Sent before any socket is up: queued, then flushed.
    n3!.send([msg(3, 1, 10), msg(3, 2, 11), msg(3, 1, 12)])
    n1!.send([msg(1, 2, 20), msg(1, 3, 21), msg(1, 2, 22), msg(1, 2, 23)])
    n2!.send([msg(2, 1, 30), msg(2, 3, 31)])
    await waitFor(() => boxes.map((b) => b.all().length).join() === '3,4,2', 'all messages')
    expect(boxes[0]!.all().map((m) => m.index)).toEqual(expect.arrayContaining([10, 12, 30]))
    expect(boxes[1]!.all().map((m) => m.index).sort()).toEqual([11, 20, 22, 23])
    expect(boxes[2]!.all().map((m) => m.index).sort()).toEqual([21, 31])
    // One call's three messages to node 2 came as one frame, in order.
    expect(boxes[1]!.frames.find((f) => f[0]!.from === 1)!.map((m) => m.index)).toEqual([20, 22, 23])
    expect(boxes[0]!.frames.find((f) => f[0]!.from === 3)!.map((m) => m.index)).toEqual([10, 12])
    // Smaller id dials larger: node 1 accepts nothing, node 2 one (from 1), node 3 two.
    expect(nodes.map((n) => n.server.stats().connections['/raft'])).toEqual([0, 1, 2])
    expect(n1!.stats().peers.map((p) => [p.id, p.mode, p.connected])).toEqual([[2, 'dial', true], [3, 'dial', true]])
    expect(n3!.stats().peers.map((p) => p.mode)).toEqual(['accept', 'accept'])
    // The sender counts a frame once the kernel took it (its send callback).
    await waitFor(() => n1!.stats().framesSent === 2, 'send callbacks')
    const s1 = n1!.stats()
    expect(s1.messagesSent).toBe(4)
    expect(s1.messagesReceived).toBe(3)
    expect(s1.framesReceived).toBe(2)
    expect(s1.bytesSent).toBeGreaterThan(0)
  })

  it('redials after the peer restarts, with backoff, and reports it unreachable meanwhile', async () => {
    const [a, b] = await cluster(2)
    const unreachable: number[] = []
    a!.server.peers.onUnreachable((id) => unreachable.push(id))
    await waitFor(() => connected(a!.server, 2), 'first connection')
    await b!.server.close()
    await waitFor(() => !connected(a!.server, 2) && unreachable.includes(2), 'loss noticed')
    const { server: b2 } = await h.node(2, { listenPort: b!.port })
    b2.peers.setPeers(new Map([[1, `127.0.0.1:${a!.port}`], [2, `127.0.0.1:${b!.port}`]]))
    const box = inbox(b2)
    const back = inbox(a!.server)
    await waitFor(() => connected(a!.server, 2) && connected(b2, 1), 'reconnection')
    a!.server.peers.send([msg(1, 2, 5)])
    b2.peers.send([msg(2, 1, 6)])
    await waitFor(() => box.all().length === 1 && back.all().length === 1, 'messages after restart')
    expect(a!.server.peers.stats().reconnects).toBe(1)
  })

  it('reports a peer lost when it closes our links shutting down, on both sides of a link', async () => {
    const [a, b, c] = await cluster(3)
    const lostAt1: number[] = []
    const lostAt3: number[] = []
    a!.server.peers.onPeerLost((id) => lostAt1.push(id))
    c!.server.peers.onPeerLost((id) => lostAt3.push(id))
    await waitFor(() => connected(a!.server, 2) && connected(c!.server, 2), 'links up')
    // Node 2 shuts down (1001): node 1 dialed it, node 3 accepted its dial; both notice.
    // (A killed node closes nothing itself: its address refusing connections tells; probe-peer.test.ts.)
    await b!.server.close()
    await waitFor(() => lostAt1.includes(2) && lostAt3.includes(2), 'peer 2 lost on both')
    expect([...lostAt1, ...lostAt3].every((id) => id === 2)).toBe(true)
  })

  it('a closed link to a peer that still listens is not a lost peer', async () => {
    const [a, b] = await cluster(2)
    const lost: number[] = []
    const unreachable: number[] = []
    a!.server.peers.onPeerLost((id) => lost.push(id))
    a!.server.peers.onUnreachable((id) => unreachable.push(id))
    await waitFor(() => connected(a!.server, 2), 'link up')
    // Node 2 is alive and listening; only its socket closes (a flaky link).
    b!.server.peers.setPeers(new Map([[2, `127.0.0.1:${b!.port}`]]))
    await waitFor(() => unreachable.includes(2), 'the close noticed')
    await probePeer(`127.0.0.1:${b!.port}`, 1000) // the link's own probe has had its answer by now
    await new Promise((r) => setTimeout(r, 50))
    expect(lost).toEqual([])
  })

  it('a peer whose link drops and whose listener closes a while later (a process dying) is lost once the listener is gone', async () => {
    // Node 2 is a bare WebSocket server: its link to node 1 ends without a close frame, its
    // listener stays 150 ms more (past the old single re-probe at 100 ms), then goes.
    const peer = await dyingPeer(2)
    const { server } = await h.node(1)
    const lost: number[] = []
    server.peers.onPeerLost((id) => lost.push(id))
    server.peers.setPeers(new Map([[2, `127.0.0.1:${peer.port}`]]))
    await waitFor(() => connected(server, 2) && peer.socket() !== undefined, 'link up')
    peer.dropLink()
    await waitFor(() => !connected(server, 2), 'the drop noticed')
    await new Promise((r) => setTimeout(r, 150))
    expect(lost).toEqual([])
    await peer.closeListener()
    await waitFor(() => lost.includes(2), 'peer 2 lost')
    expect(lost).toEqual([2])
  })

  it('a newer connection from the same peer replaces the older one', async () => {
    const { server, port } = await h.node(2)
    server.peers.setPeers(new Map([[1, '127.0.0.1:1']]))
    const box = inbox(server)
    const first = h.client(port, '/raft', undefined, 1)
    await opened(first)
    const firstClosed = closed(first)
    const second = h.client(port, '/raft', undefined, 1)
    await opened(second)
    expect(await firstClosed).toEqual({ code: CloseCode.Replaced, reason: 'replaced by a newer connection from the same peer' })
    second.send(encodeRaftFrames(1, 1, 2, [msg(1, 2, 7)], 1 << 20).frames[0]!.bytes)
    await waitFor(() => box.all().length === 1, 'message on the newer socket')
    expect(server.stats().connections['/raft']).toBe(1)
  })

  it('drops messages whose inner from/to is not the link\'s peer or whose term is over the bound, logging once per connection', async () => {
    const { server, port, lines } = await h.node(2)
    server.peers.setPeers(new Map([[1, '127.0.0.1:1'], [3, '127.0.0.1:1']]))
    const box = inbox(server)
    const link = h.client(port, '/raft', undefined, 1)
    await opened(link)
    const spoofed = { ...msg(1, 2, 1), from: 3 }
    const huge = { ...msg(1, 2, 1), term: MAX_WIRE_TERM + 1 }
    const hugeEntry = { ...msg(1, 2, 1), entries: [{ term: 2 ** 53 - 1, index: 2 }] }
    for (const batch of [[spoofed, huge], [hugeEntry, msg(1, 2, 5)]]) link.send(encodeRaftFrames(1, 1, 2, batch, 1 << 20).frames[0]!.bytes)
    await waitFor(() => box.all().length === 1, 'the one good message')
    expect(box.all()[0]!.index).toBe(5)
    expect(server.peers.stats().dropped).toMatchObject({ spoofed: 1, outOfBound: 2 })
    const warned = lines.filter((l) => l.event === 'raft-messages-refused')
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatchObject({ peer: 1, spoofed: 1, outOfBound: 1 })
  })

  it('is refused with a wrong token: the dial fails with a log line on both sides', async () => {
    const b = await h.node(2)
    const { logger, lines } = captureLogger()
    const a = new PeerTransport({ nodeId: 1, token: 'wrong', logger, backoffBaseMs: 50, backoffMaxMs: 50, keepAliveMs: 0 })
    const unreachable: number[] = []
    a.onUnreachable((id) => unreachable.push(id))
    try {
      a.setPeers(new Map([[2, `127.0.0.1:${b.port}`]]))
      await waitFor(() => unreachable.length > 0, 'the refusal')
      expect(lines.find((l) => l.msg === 'dial to peer failed')?.reason).toBe('Unexpected server response: 401')
      expect(b.lines.some((l) => l.status === 401)).toBe(true)
    } finally {
      await a.close()
    }
  })

  it('closes only the connection of a frame that does not decode (1007)', async () => {
    const nodes = await cluster(2)
    const { server, port, lines } = await h.node(3)
    server.peers.setPeers(new Map([[1, '127.0.0.1:1'], [2, `127.0.0.1:${nodes[1]!.port}`]]))
    nodes[1]!.server.peers.setPeers(new Map([[1, `127.0.0.1:${nodes[0]!.port}`], [3, `127.0.0.1:${port}`]]))
    const box = inbox(server)
    const fake1 = h.client(port, '/raft', undefined, 1)
    await opened(fake1)
    const done = closed(fake1)
    fake1.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x07]))
    expect(await done).toEqual({ code: CloseCode.InvalidPayload, reason: 'frame does not decode as a raft_serverpb.RaftBatch' })
    expect(lines.some((l) => String(l.msg).includes('frame does not decode'))).toBe(true)
    expect(server.peers.stats().badFrames).toBe(1)
    nodes[1]!.server.peers.send([msg(2, 3, 1)])
    await waitFor(() => box.all().length === 1, 'node 2 still delivering to node 3')
  })

  it('closes a /raft connection whose frame is over the limit (1009)', async () => {
    const { server, port } = await h.node(2, { maxFrameBytes: { raft: 4096 } })
    server.peers.setPeers(new Map([[1, '127.0.0.1:1']]))
    const ws = h.client(port, '/raft', undefined, 1)
    await opened(ws)
    const done = closed(ws)
    ws.send(Buffer.alloc(5000))
    expect((await done).code).toBe(CloseCode.MessageTooBig)
  })

  it('drops messages over the per-peer queue bound and reports the peer unreachable', async () => {
    // Node 2 waits for node 1 to dial, which never happens: nothing drains its queue.
    const { server } = await h.node(2, { peer: { maxQueueBytes: 2000 } })
    server.peers.setPeers(new Map([[1, `127.0.0.1:${await freePort()}`]]))
    const unreachable: number[] = []
    server.peers.onUnreachable((id) => unreachable.push(id))
    for (let i = 0; i < 3; i++) server.peers.send([msg(2, 1, i, 600)])
    expect(unreachable).toEqual([])
    server.peers.send([msg(2, 1, 3, 600)])
    expect(unreachable).toEqual([1])
    const s = server.peers.stats()
    expect(s.dropped.queueFull).toBe(1)
    expect(s.peers[0]!.queuedFrames).toBe(3)
    expect(s.peers[0]!.queuedBytes).toBeLessThanOrEqual(2000)
  })

  it('drops and reports messages to unknown peers and messages larger than a frame', async () => {
    const [a] = await cluster(2, { maxFrameBytes: { raft: 2048 } })
    const unreachable: number[] = []
    a!.server.peers.onUnreachable((id) => unreachable.push(id))
    a!.server.peers.send([msg(1, 7, 1), msg(1, 2, 2, 4096)])
    expect(unreachable.sort()).toEqual([2, 7])
    expect(a!.server.peers.stats().dropped).toMatchObject({ unknownPeer: 1, tooLarge: 1 })
  })

  it('splits one call into several frames only when it would exceed the frame limit', async () => {
    const [a, b] = await cluster(2, { maxFrameBytes: { raft: 2048 } })
    const box = inbox(b!.server)
    a!.server.peers.send([1, 2, 3, 4, 5].map((i) => msg(1, 2, i, 700)))
    await waitFor(() => box.all().length === 5, 'all five')
    expect(box.frames.map((f) => f.length)).toEqual([2, 2, 1])
    expect(box.all().map((m) => m.index)).toEqual([1, 2, 3, 4, 5])
  })

  it('follows membership changes: removed peers are disconnected, new ones connected', async () => {
    const nodes = await cluster(3)
    const p1 = nodes[0]!.server.peers
    await waitFor(() => connected(nodes[0]!.server, 3), 'link 1-3')
    p1.setPeers(new Map([[2, `127.0.0.1:${nodes[1]!.port}`]]))
    expect(p1.isKnownPeer(3)).toBe(false)
    await waitFor(() => !connected(nodes[2]!.server, 1), 'node 3 sees the link go')
    // The socket counts as open until its closing handshake ends (it is no longer "connected" once it starts).
    await waitFor(() => nodes[2]!.server.stats().connections['/raft'] === 1, 'only the link 2-3 left on node 3')
    p1.setPeers(new Map([[2, `127.0.0.1:${nodes[1]!.port}`], [3, `127.0.0.1:${nodes[2]!.port}`]]))
    await waitFor(() => connected(nodes[2]!.server, 1), 'link 1-3 again')
    expect(() => p1.setPeers(new Map([[4, 'no-port']]))).toThrow(InvalidArgumentError)
  })

  it('server close() closes the peer sockets too', async () => {
    const [a, b] = await cluster(2)
    await waitFor(() => connected(b!.server, 1), 'link')
    await a!.server.close()
    expect(connected(a!.server, 2)).toBe(false)
    await waitFor(() => !connected(b!.server, 1), 'node 2 sees the link close')
    expect(() => a!.server.peers.setPeers(new Map())).toThrow(ServerStateError)
  })
})

describe('fault filters', () => {
  it('blocks a peer in both directions even when only one side is told', async () => {
    const [a, b] = await cluster(2)
    const boxA = inbox(a!.server)
    const boxB = inbox(b!.server)
    await waitFor(() => connected(a!.server, 2), 'link')
    a!.server.peers.setFaults({ blockedPeers: [2], dropRate: 0, delayMs: 0, jitterMs: 0 })
    a!.server.peers.send([msg(1, 2, 1)])
    b!.server.peers.send([msg(2, 1, 2), msg(2, 1, 3)])
    await waitFor(() => a!.server.peers.stats().dropped.blockedIncoming === 2, 'incoming dropped')
    expect(a!.server.peers.stats().dropped.blocked).toBe(1)
    a!.server.peers.setFaults({ blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 })
    a!.server.peers.send([msg(1, 2, 4)])
    b!.server.peers.send([msg(2, 1, 5)])
    // Per-peer order holds on the one socket: had a blocked message leaked, it would be here first.
    await waitFor(() => boxA.all().length === 1 && boxB.all().length === 1, 'messages after healing')
    expect(boxA.all().map((m) => m.index)).toEqual([5])
    expect(boxB.all().map((m) => m.index)).toEqual([4])
    expect(connected(a!.server, 2)).toBe(true)
  })

  it('drops the configured fraction of outgoing messages', async () => {
    const [a, b] = await cluster(2, { peer: { rng: cycleRng([0.1, 0.9]) } })
    const box = inbox(b!.server)
    a!.server.peers.setFaults({ blockedPeers: [], dropRate: 0.5, delayMs: 0, jitterMs: 0 })
    a!.server.peers.send(Array.from({ length: 20 }, (_, i) => msg(1, 2, i)))
    await waitFor(() => box.all().length === 10, 'the survivors')
    expect(box.all().map((m) => m.index)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
    expect(a!.server.peers.stats().dropped.dropRate).toBe(10)
    a!.server.peers.setFaults({ blockedPeers: [], dropRate: 1, delayMs: 0, jitterMs: 0 })
    a!.server.peers.send([msg(1, 2, 100)])
    expect(a!.server.peers.stats().dropped.dropRate).toBe(11)
  })

  it('delays outgoing frames and keeps per-peer order under jitter', async () => {
    // Jitter draws 0.99 then 0: the first frame is held ~140 ms, the second ~100 ms.
    const [a, b] = await cluster(2, { peer: { rng: cycleRng([0.99, 0]) } })
    const arrivals: { index: number; at: number }[] = []
    b!.server.peers.onMessages((msgs) => msgs.forEach((m) => arrivals.push({ index: m.index, at: performance.now() })))
    await waitFor(() => connected(a!.server, 2), 'link')
    a!.server.peers.setFaults({ blockedPeers: [], dropRate: 0, delayMs: 100, jitterMs: 40 })
    const t0 = performance.now()
    a!.server.peers.send([msg(1, 2, 1)])
    a!.server.peers.send([msg(1, 2, 2)])
    await waitFor(() => arrivals.length === 2, 'delayed messages')
    expect(arrivals.map((x) => x.index)).toEqual([1, 2])
    expect(arrivals[0]!.at - t0).toBeGreaterThanOrEqual(139)
    expect(a!.server.peers.stats().peers[0]!.queuedFrames).toBe(0)
  })

  it('validates fault settings and keeps the old ones on bad input', async () => {
    const { server } = await h.node(1)
    const p = server.peers
    const good = { blockedPeers: [3, 2, 3], dropRate: 0.25, delayMs: 10, jitterMs: 5 }
    p.setFaults(good)
    expect(p.getFaults()).toEqual({ blockedPeers: [2, 3], dropRate: 0.25, delayMs: 10, jitterMs: 5 })
    const bad = [
      { ...good, dropRate: 1.5 },
      { ...good, dropRate: Number.NaN },
      { ...good, delayMs: -1 },
      { ...good, jitterMs: 0.5 },
      { ...good, delayMs: 120_000 },
      { ...good, blockedPeers: [0] },
      { ...good, blockedPeers: ['2' as unknown as number] },
    ]
    for (const f of bad) {
      expect(() => p.setFaults(f)).toThrow(InvalidFaultsError)
    }
    try {
      p.setFaults({ ...good, dropRate: -0.1 })
    } catch (err) {
      expect((err as InvalidFaultsError).code).toBe('ErrInvalidFaults')
    }
    expect(p.getFaults().dropRate).toBe(0.25)
  })
})

describe('PeerTransport options', () => {
  it('rejects bad options with typed errors', () => {
    const { logger } = captureLogger()
    expect(() => new PeerTransport({ nodeId: -1, token: TOKEN, logger })).toThrow(InvalidArgumentError)
    expect(() => new PeerTransport({ nodeId: 1, token: TOKEN, logger, maxQueueBytes: 0 })).toThrow(InvalidArgumentError)
    expect(() => new PeerTransport({ nodeId: 1, token: TOKEN, logger, backoffBaseMs: 1.5 })).toThrow(InvalidArgumentError)
  })
})

/**
 * A stand-in for node `id` whose process dies in two steps, as a killed one does: its link
 * drops without a close frame (and it takes no new ones), its listener closes later.
 */
async function dyingPeer(id: number): Promise<{ port: number; socket: () => WebSocket | undefined; dropLink: () => void; closeListener: () => Promise<void> }> {
  const http = createServer()
  const wss = new WebSocketServer({ server: http })
  wss.on('headers', (headers) => headers.push(`${ID_HEADER}: ${id}`))
  let peerSocket: WebSocket | undefined
  wss.on('connection', (ws) => {
    peerSocket = ws
  })
  const closeListener = (): Promise<void> => new Promise<void>((r) => {
    if (!http.listening) return r()
    http.close(() => r())
    http.closeAllConnections()
  })
  h.closers.push(async () => {
    for (const c of wss.clients) c.terminate()
    wss.close()
    await closeListener()
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()))
  const { port } = http.address() as AddressInfo
  return {
    port,
    socket: () => peerSocket,
    dropLink: () => {
      wss.close() // new upgrades are refused from now on
      peerSocket?.terminate()
    },
    closeListener,
  }
}

/** A stand-in for node `id` that accepts the dial and then reads nothing (until resumed). */
async function stuckPeer(id: number): Promise<{ port: number; received: number[]; socket: () => WebSocket | undefined }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('headers', (headers) => headers.push(`${ID_HEADER}: ${id}`))
  const received: number[] = []
  let peerSocket: WebSocket | undefined
  wss.on('connection', (ws) => {
    peerSocket = ws
    ws.pause()
    ws.on('message', (data: Buffer) => received.push(data.length))
  })
  h.closers.push(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate()
    wss.close(() => r())
  }))
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const { port } = wss.address() as AddressInfo
  return { port, received, socket: () => peerSocket }
}

describe('backpressure', () => {
  it('holds frames while the socket buffers, and drops beyond the queue bound', async () => {
    const stuck = await stuckPeer(2)
    const maxQueueBytes = 1 << 20
    const { server } = await h.node(1, { peer: { maxQueueBytes, socketHighWaterBytes: 64 << 10 } })
    const unreachable: number[] = []
    server.peers.onUnreachable((id) => unreachable.push(id))
    server.peers.setPeers(new Map([[2, `127.0.0.1:${stuck.port}`]]))
    await waitFor(() => connected(server, 2) && stuck.socket() !== undefined, 'link')
    // Send until the kernel buffers are full and the queue overflows (bounded: 400 MiB at most).
    let sent = 0
    for (let round = 0; round < 100 && server.peers.stats().dropped.queueFull === 0; round++) {
      for (let i = 0; i < 64; i++) server.peers.send([msg(1, 2, sent++, 64 << 10)])
      const p = server.peers.stats().peers[0]!
      expect(p.queuedBytes + p.bufferedBytes).toBeLessThanOrEqual(maxQueueBytes + (64 << 10) * 2)
      await new Promise((r) => setTimeout(r, 2))
    }
    const s = server.peers.stats()
    expect(s.dropped.queueFull).toBeGreaterThan(0)
    expect(s.peers[0]!.queuedFrames).toBeGreaterThan(0) // held back, not handed to ws
    expect(unreachable).toContain(2)
    // The peer reads again: everything that was not dropped arrives.
    stuck.socket()!.resume()
    await waitFor(() => stuck.received.length === sent - server.peers.stats().dropped.queueFull, 'the backlog', 1900)
    expect(server.peers.stats().peers[0]!.queuedFrames).toBe(0)
  })
})

describe('keepalive', () => {
  it('drops a peer socket that stops answering pings, and redials', async () => {
    const stuck = await stuckPeer(2)
    const { server, lines } = await h.node(1, { peer: { keepAliveMs: 30 } })
    server.peers.setPeers(new Map([[2, `127.0.0.1:${stuck.port}`]]))
    await waitFor(() => lines.some((l) => String(l.msg).includes('no pong')), 'the dead socket noticed')
    await waitFor(() => server.peers.stats().reconnects >= 1, 'a redial')
  })
})
