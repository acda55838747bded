import { afterEach, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'
import { eraftpb, snappb } from '../../proto/generated/protos.js'
import { CloseCode, ID_HEADER } from './constants.js'
import {
  ConnectionClosedError, SnapshotCancelledError, SnapshotFailedError, SnapshotRefusedError, SnapshotTimeoutError,
  type TransportError,
} from './errors.js'
import { chunkChecksum, decodeResponse, encodeRequest } from './snapshot-codec.js'
import { SnapshotReceiver, type SnapshotReceiverOptions } from './snapshot-receiver.js'
import { SnapshotSender, type SnapshotSenderOptions } from './snapshot-sender.js'
import type { SnapshotProgress, SnapshotSink } from './snapshot-types.js'
import { Harness, TOKEN, captureLogger, closed, msg, opened, waitFor } from './testing/helpers.js'

const h = new Harness()
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
  await h.closeAll()
})

const snapMsg = (from = 1, to = 2): eraftpb.Message.$Properties => ({
  msgType: eraftpb.MessageType.MsgSnapshot, from, to, term: 3,
  snapshot: { metadata: { index: 100, term: 3, confState: { nodes: [1, 2] } }, data: new Uint8Array([1, 2, 3]) },
})

function chunks(n: number, size: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new Uint8Array(size).fill(i + 1))
}

/** A gate a sink can wait on: closed until open() is called. */
function gate(): { wait: () => Promise<void>; open: () => void } {
  let release!: () => void
  const p = new Promise<void>((r) => { release = r })
  return { wait: () => p, open: () => release() }
}

/** A sink that records what it got and can be held at write(). */
class RecordingSink implements SnapshotSink {
  readonly written: Uint8Array[] = []
  finished = false
  aborted: TransportError | undefined
  constructor(private readonly hold?: () => Promise<void>, private readonly failAt = -1) {}
  async write(chunk: Uint8Array): Promise<void> {
    if (this.written.length === this.failAt) throw new Error('disk full')
    if (this.hold) await this.hold()
    this.written.push(chunk)
  }
  async finish(): Promise<void> {
    this.finished = true
  }
  abort(err: TransportError): void {
    this.aborted = err
  }
}

/** Node 2 serving /snapshot with a receiver; node 1 is its known peer. */
async function receiverNode(opts: Partial<SnapshotReceiverOptions> = {}) {
  const node = await h.node(2)
  node.server.peers.setPeers(new Map([[1, '127.0.0.1:1']]))
  const sinks: RecordingSink[] = []
  const progress: SnapshotProgress[] = []
  const receiver = new SnapshotReceiver({
    logger: captureLogger().logger,
    handler: async () => {
      const s = new RecordingSink()
      sinks.push(s)
      return s
    },
    onProgress: (p) => progress.push(p),
    ...opts,
  })
  cleanups.push(async () => receiver.close())
  node.server.onConnection('/snapshot', receiver.handle)
  return { ...node, receiver, sinks, progress, addr: `127.0.0.1:${node.port}` }
}

function sender(opts: Partial<SnapshotSenderOptions> = {}): SnapshotSender {
  const s = new SnapshotSender({ nodeId: 1, token: TOKEN, logger: captureLogger().logger, idleTimeoutMs: 2000, ...opts })
  cleanups.push(() => s.close())
  return s
}

/** A raw /snapshot client speaking as node 1. */
async function rawSender(port: number): Promise<{ ws: WebSocket; replies: snappb.SnapshotResponse[] }> {
  const ws = h.client(port, '/snapshot', undefined, 1)
  const replies: snappb.SnapshotResponse[] = []
  ws.on('message', (data: Buffer) => replies.push(snappb.SnapshotResponse.decode(data)))
  await opened(ws)
  return { ws, replies }
}

const header = (windowBytes = 1 << 20) => encodeRequest({
  header: { transferId: 't', message: snapMsg(), totalBytes: 0, totalChunks: 0, windowBytes },
})

describe('snapshot stream', () => {
  it('streams chunks in order to the sink, with progress on both sides', async () => {
    const r = await receiverNode()
    const sent: SnapshotProgress[] = []
    const data = chunks(8, 10_000)
    const result = await sender().send({
      peerId: 2, addr: r.addr, message: snapMsg(), chunks: data, totalBytes: 80_000, totalChunks: 8,
      onProgress: (p) => sent.push({ ...p }),
    })
    expect(result).toMatchObject({ bytes: 80_000, chunks: 8 })
    expect(result.rateBytesPerSec).toBeGreaterThan(0)
    expect(r.sinks).toHaveLength(1)
    expect(Buffer.concat(r.sinks[0]!.written)).toEqual(Buffer.concat(data))
    expect(r.sinks[0]!.written.map((c) => c.length)).toEqual(data.map((c) => c.length))
    expect(r.sinks[0]!.finished).toBe(true)
    expect(r.sinks[0]!.aborted).toBeUndefined()
    expect(sent.at(-1)).toMatchObject({ state: 'done', bytesDone: 80_000, bytesTotal: 80_000, chunksDone: 8, index: 100, term: 3, direction: 'send' })
    const done = sent.map((p) => p.bytesDone)
    expect(done).toEqual([...done].sort((a, b) => a - b))
    await waitFor(() => r.receiver.stats().received === 1, 'receiver done')
    expect(r.progress.at(-1)).toMatchObject({ state: 'done', bytesDone: 80_000, chunksDone: 8, peerId: 1, direction: 'receive' })
    expect(r.receiver.stats()).toEqual({ received: 1, failed: 0, refused: 0, active: 0 })
  })

  it('keeps unacknowledged bytes within the window while the sink is slow', async () => {
    const g = gate()
    const r = await receiverNode({ handler: async () => new RecordingSink(g.wait) })
    let yielded = 0
    async function* source() {
      for (const c of chunks(20, 1000)) {
        yielded++
        yield c
      }
    }
    const s = sender({ windowBytes: 3000 })
    const done = s.send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: source() })
    await waitFor(() => yielded === 4, 'the window to fill')
    // Three chunks in flight, the fourth waits for an ack; nothing more is pulled from the source.
    await new Promise((res) => setTimeout(res, 50))
    expect(yielded).toBe(4)
    expect(s.transfers()[0]).toMatchObject({ state: 'sending', bytesDone: 0 })
    g.open()
    expect((await done).bytes).toBe(20_000)
  })

  it('honours the rate limit', async () => {
    const r = await receiverNode()
    const t0 = performance.now()
    // 1 MiB/s: four 64 KiB chunks, the first goes at once, the last at >= 187.5 ms.
    await sender({ rateLimitMBps: 1 }).send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: chunks(4, 64 << 10) })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(185)
  })

  it('limits concurrent transfers on both sides, with a clear reason', async () => {
    const g = gate()
    const r = await receiverNode({ handler: async () => new RecordingSink(g.wait) })
    const first = sender()
    const running = first.send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: chunks(2, 100) })
    await waitFor(() => r.receiver.stats().active === 1, 'first transfer accepted')
    await expect(first.send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: [] })).rejects.toMatchObject({
      code: 'ErrSnapshotRefused', reason: 'busy', message: 'already sending 1 snapshot(s), the limit is 1',
    })
    const other = sender()
    const err = await other.send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: chunks(1, 10) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SnapshotRefusedError)
    expect((err as SnapshotRefusedError).reason).toBe('busy')
    expect((err as Error).message).toContain('already receiving 1 snapshot(s), the limit')
    g.open()
    await running
    expect(r.receiver.stats()).toMatchObject({ received: 1, refused: 1 })
  })

  it('reports a refusal by the handler (a stale snapshot) to the sender', async () => {
    const r = await receiverNode({
      handler: async (offer) => {
        throw new SnapshotRefusedError('refused', `snapshot at index ${offer.message.snapshot?.metadata?.index} is stale`)
      },
    })
    await expect(sender().send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: chunks(1, 10) })).rejects.toMatchObject({
      code: 'ErrSnapshotRefused', reason: 'refused', message: 'receiver reported refused: snapshot at index 100 is stale',
    })
  })

  it('fails the transfer when the sink fails, and aborts the sink', async () => {
    const sinks: RecordingSink[] = []
    const r = await receiverNode({
      handler: async () => {
        const s = new RecordingSink(undefined, 2)
        sinks.push(s)
        return s
      },
    })
    const err = await sender().send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: chunks(5, 100) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SnapshotFailedError)
    expect((err as SnapshotFailedError).failure).toBe('handler')
    await waitFor(() => sinks[0]!.aborted !== undefined, 'sink aborted')
    expect(sinks[0]!.written).toHaveLength(2)
    expect(sinks[0]!.finished).toBe(false)
  })

  it('cancels on AbortSignal: the sender stops its source, the receiver aborts its sink', async () => {
    const g = gate()
    const sinks: RecordingSink[] = []
    const r = await receiverNode({
      handler: async () => {
        const s = new RecordingSink(g.wait)
        sinks.push(s)
        return s
      },
    })
    let sourceClosed = false
    async function* source() {
      try {
        for (let i = 0; i < 100; i++) yield new Uint8Array(100)
      } finally {
        sourceClosed = true
      }
    }
    const ac = new AbortController()
    // A window of 10 chunks: with the sink held, the sender stays mid-stream (no End sent).
    const s = sender({ windowBytes: 1000 })
    const done = s.send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: source(), signal: ac.signal })
    await waitFor(() => s.transfers()[0]?.state === 'sending', 'transfer under way')
    ac.abort('operator said stop')
    await expect(done).rejects.toBeInstanceOf(SnapshotCancelledError)
    expect(sourceClosed).toBe(true)
    g.open()
    await waitFor(() => sinks[0]!.aborted !== undefined, 'sink aborted')
    expect(sinks[0]!.aborted!.code).toBe('ErrSnapshotCancelled')
    expect(sinks[0]!.finished).toBe(false)
    await waitFor(() => r.receiver.stats().failed === 1, 'receiver counted the failure')
  })

  it('times out as a whole, and when the other side goes silent', async () => {
    const g = gate()
    const r = await receiverNode({ handler: async () => new RecordingSink(g.wait) })
    await expect(sender().send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: chunks(3, 10), timeoutMs: 100 }))
      .rejects.toBeInstanceOf(SnapshotTimeoutError)
    g.open()
    // Receiver side: a sender that sends its header and then nothing.
    const quiet = await receiverNode({ idleTimeoutMs: 100 })
    const { ws, replies } = await rawSender(quiet.port)
    const shut = closed(ws)
    ws.send(header())
    await shut
    expect(replies.at(-1)?.failure?.code).toBe('timeout')
    await waitFor(() => quiet.sinks[0]?.aborted?.code === 'ErrSnapshotTimeout', 'sink aborted on timeout')
  })

  it('times out when the receiver accepts the connection and then says nothing', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    silent.on('headers', (hs) => hs.push(`${ID_HEADER}: 2`))
    cleanups.push(() => new Promise<void>((res) => {
      for (const c of silent.clients) c.terminate()
      silent.close(() => res())
    }))
    await new Promise<void>((res) => silent.once('listening', () => res()))
    const { port } = silent.address() as AddressInfo
    const err = await sender({ idleTimeoutMs: 100 })
      .send({ peerId: 2, addr: `127.0.0.1:${port}`, message: snapMsg(), chunks: chunks(1, 10) })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SnapshotTimeoutError)
    expect((err as Error).message).toBe('nothing from node 2 for 100 ms')
  })

  it('refuses a corrupted chunk (checksum) and never finishes the sink', async () => {
    const r = await receiverNode()
    const { ws, replies } = await rawSender(r.port)
    ws.send(header())
    await waitFor(() => replies.length > 0 && replies.some((x) => x.accept), 'accept')
    const data = new Uint8Array([1, 2, 3, 4])
    const shut = closed(ws)
    ws.send(encodeRequest({ chunk: { seq: 0, offset: 0, data, crc32: chunkChecksum(data) ^ 1 } }))
    await shut
    expect(replies.at(-1)?.failure).toMatchObject({ code: 'checksum', reason: 'chunk 0 fails its CRC-32' })
    await waitFor(() => r.sinks[0]!.aborted !== undefined, 'sink aborted')
    expect(r.sinks[0]!.written).toHaveLength(0)
    expect(r.sinks[0]!.finished).toBe(false)
  })

  it('refuses garbage, out-of-order chunks and a header that is not a MsgSnapshot from the connected peer', async () => {
    const r = await receiverNode()
    const garbage = await rawSender(r.port)
    const g = closed(garbage.ws)
    garbage.ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]))
    expect((await g).code).toBe(CloseCode.InvalidPayload)
    expect(garbage.replies.at(-1)?.failure?.code).toBe('protocol')

    const order = await rawSender(r.port)
    order.ws.send(header())
    await waitFor(() => order.replies.some((x) => x.accept), 'accept')
    const o = closed(order.ws)
    order.ws.send(encodeRequest({ chunk: { seq: 1, offset: 0, data: new Uint8Array(1), crc32: chunkChecksum(new Uint8Array(1)) } }))
    expect((await o).code).toBe(CloseCode.PolicyViolation)

    const spoof = await rawSender(r.port)
    const sp = closed(spoof.ws)
    spoof.ws.send(encodeRequest({ header: { transferId: 'x', message: snapMsg(3, 2) } }))
    await sp
    expect(spoof.replies.at(-1)?.failure?.reason).toBe('MsgSnapshot from node 3 over a connection from node 1')

    const notSnap = await rawSender(r.port)
    const ns = closed(notSnap.ws)
    notSnap.ws.send(encodeRequest({ header: { transferId: 'y', message: msg(1, 2, 1) } }))
    await ns
    expect(notSnap.replies.at(-1)?.failure?.code).toBe('protocol')
    expect(r.sinks.map((s) => s.finished)).toEqual([false])
  })

  it('aborts the sink when the sender vanishes mid-transfer', async () => {
    const r = await receiverNode()
    const { ws, replies } = await rawSender(r.port)
    ws.send(header())
    await waitFor(() => replies.some((x) => x.accept), 'accept')
    const data = new Uint8Array([9, 9])
    ws.send(encodeRequest({ chunk: { seq: 0, offset: 0, data, crc32: chunkChecksum(data) } }))
    await waitFor(() => replies.some((x) => x.ack), 'ack')
    ws.terminate()
    await waitFor(() => r.sinks[0]!.aborted !== undefined, 'sink aborted')
    expect(r.sinks[0]!.aborted).toBeInstanceOf(ConnectionClosedError)
    expect(r.receiver.stats()).toMatchObject({ failed: 1, active: 0 })
  })

  it('refuses an unauthorized or unknown sender at the upgrade', async () => {
    const r = await receiverNode()
    const s = new SnapshotSender({ nodeId: 1, token: 'wrong', logger: captureLogger().logger })
    await expect(s.send({ peerId: 2, addr: r.addr, message: snapMsg(), chunks: [] })).rejects.toThrow(/401/)
    const stranger = new SnapshotSender({ nodeId: 5, token: TOKEN, logger: captureLogger().logger })
    const err = await stranger.send({ peerId: 2, addr: r.addr, message: snapMsg(5), chunks: [] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionClosedError)
    expect((err as Error).message).toContain('403')
    await expect(s.send({ peerId: 3, addr: r.addr, message: snapMsg(), chunks: [] })).rejects.toThrow(/401/)
    expect(r.sinks).toHaveLength(0)
  })

  it('never holds raft messages behind a snapshot: /raft is its own connection', async () => {
    const g = gate()
    const b = await h.node(2)
    const a = await h.node(1)
    const members = new Map([[1, `127.0.0.1:${a.port}`], [2, `127.0.0.1:${b.port}`]])
    a.server.peers.setPeers(members)
    b.server.peers.setPeers(members)
    const receiver = new SnapshotReceiver({ logger: captureLogger().logger, handler: async () => new RecordingSink(g.wait) })
    cleanups.push(async () => receiver.close())
    b.server.onConnection('/snapshot', receiver.handle)
    const got: number[] = []
    b.server.peers.onMessages((ms) => ms.forEach((m) => got.push(m.index)))
    const s = sender({ windowBytes: 256 << 10 })
    const transfer = s.send({ peerId: 2, addr: `127.0.0.1:${b.port}`, message: snapMsg(), chunks: chunks(16, 64 << 10) })
    await waitFor(() => s.transfers()[0]?.state === 'sending', 'snapshot under way')
    a.server.peers.send([{ ...msg(1, 2, 42), msgType: eraftpb.MessageType.MsgHeartbeat }])
    await waitFor(() => got.includes(42), 'the heartbeat, while the snapshot is stalled')
    expect(s.transfers()[0]!.bytesDone).toBe(0)
    g.open()
    expect((await transfer).chunks).toBe(16)
  })
})

describe('snapshot codec', () => {
  it('round-trips frames and rejects garbage', () => {
    const bytes = snappb.SnapshotResponse.encode({ ack: { seq: 3, bytes: 99 } }).finish()
    expect(decodeResponse(bytes)).toMatchObject({ kind: 'ack', ack: { seq: 3, bytes: 99 } })
    expect(() => decodeResponse(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/not a snappb.SnapshotResponse/)
    expect(() => decodeResponse(new Uint8Array(0))).toThrow(/no known kind/)
  })
})
