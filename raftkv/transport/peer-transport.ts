// Raft messaging between peers over /raft: one long-lived WebSocket per peer pair
// (the smaller id dials the larger; both send over it), one frame per send() call
// and peer, bounded queues, fault filters, counters.
//
// Composition: a TransportServer creates its PeerTransport (server.peers) and routes
// accepted /raft upgrades to it; the dialing side needs no server. A PeerTransport
// can also be made on its own (a client-only node, tests): it then only dials.
import type { Logger } from 'pino'
import { eraftpb } from '../../proto/generated/protos.js'

const MessageType = eraftpb.MessageType
import { parseNodeId } from './auth.js'
import { CloseCode, MAX_WIRE_TERM, MiB } from './constants.js'
import type { Connection } from './connection.js'
import { BadFrameError, ServerStateError } from './errors.js'
import { FaultFilter, type Faults } from './faults.js'
import { PeerLink, type LinkContext, type PeerLinkSettings } from './peer-link.js'
import { decodeRaftFrame, encodeRaftFrames } from './raft-codec.js'
import { newCounters, type Counters, type TransportStats } from './stats.js'
import { checkAddr, checkInt, checkNodeId, checkToken } from './validate.js'

export interface PeerTransportOptions {
  nodeId: number
  token: string
  logger: Logger
  /** Region id written into every RaftMessage (default 1: the single raft group). */
  regionId?: number
  /** Largest /raft frame sent or accepted (default 16 MiB); bigger batches are split. */
  maxFrameBytes?: number
  /** Bound of each peer's send queue, including what its socket still buffers (default 32 MiB). */
  maxQueueBytes?: number
  /** Frames wait in the queue while the socket buffers this much (default 1 MiB). */
  socketHighWaterBytes?: number
  /** Redial backoff: base doubling up to max, with jitter (defaults 50 ms and 2 s). */
  backoffBaseMs?: number
  backoffMaxMs?: number
  /** Ping interval; a peer that misses a pong is dropped and redialed (default 5 s, 0 = off). */
  keepAliveMs?: number
  handshakeTimeoutMs?: number
  /** Wait this long for a closing handshake before dropping the socket (default 1 s). */
  closeGraceMs?: number
  /** Random source in [0, 1) for jitter and drop rate (default Math.random). */
  rng?: () => number
}

/** The PeerTransport options a TransportServer passes through (it supplies the rest). */
export type PeerOptions = Omit<PeerTransportOptions, 'nodeId' | 'token' | 'logger' | 'maxFrameBytes'>

/** Whether an upgrade to /raft from the node named in x-raftkv-from is accepted. */
export type InboundVerdict =
  | { ok: true; peerId: number }
  | { ok: false; status: 400 | 403 | 409 | 503; reason: string }

export type MessagesListener = (msgs: eraftpb.Message[]) => void
export type UnreachableListener = (peerId: number) => void
/** A peer whose connection closed and whose address refuses connections: its process is gone. */
export type LostListener = (peerId: number) => void
/** A peer that once accepted this node says it is not in its membership any more. */
export type RemovedListener = (byPeer: number, how: string) => void

function messageTypeName(t: number): string {
  return MessageType[t] ?? `type${t}`
}

export class PeerTransport {
  readonly nodeId: number
  private readonly regionId: number
  private readonly maxFrameBytes: number
  private readonly log: Logger
  private readonly faults: FaultFilter
  private readonly counters: Counters = newCounters()
  private readonly ctx: LinkContext
  private readonly links = new Map<number, PeerLink>()
  private readonly messageListeners = new Set<MessagesListener>()
  private readonly unreachableListeners = new Set<UnreachableListener>()
  private readonly lostListeners = new Set<LostListener>()
  private readonly removedListeners = new Set<RemovedListener>()
  /** Connections whose spoofed or out-of-bound messages were logged already (once each). */
  private readonly warnedConns = new WeakSet<Connection>()
  private closed = false

  constructor(opts: PeerTransportOptions) {
    this.nodeId = checkNodeId('nodeId', opts.nodeId)
    const token = checkToken(opts.token)
    this.regionId = checkInt('regionId', opts.regionId, 1, 1)
    this.maxFrameBytes = checkInt('maxFrameBytes', opts.maxFrameBytes, 16 * MiB, 1024, 2 ** 31 - 1)
    const settings: PeerLinkSettings = {
      maxFrameBytes: this.maxFrameBytes,
      maxQueueBytes: checkInt('maxQueueBytes', opts.maxQueueBytes, 32 * MiB, 1),
      socketHighWaterBytes: checkInt('socketHighWaterBytes', opts.socketHighWaterBytes, MiB, 1),
      backoffBaseMs: checkInt('backoffBaseMs', opts.backoffBaseMs, 50, 1, 60_000),
      backoffMaxMs: checkInt('backoffMaxMs', opts.backoffMaxMs, 2000, 1, 600_000),
      keepAliveMs: checkInt('keepAliveMs', opts.keepAliveMs, 5000, 0, 600_000),
      handshakeTimeoutMs: checkInt('handshakeTimeoutMs', opts.handshakeTimeoutMs, 5000, 1, 600_000),
      closeGraceMs: checkInt('closeGraceMs', opts.closeGraceMs, 1000, 0, 60_000),
    }
    const rng = opts.rng ?? Math.random
    this.log = opts.logger.child({ component: 'raft-transport', node: this.nodeId })
    this.faults = new FaultFilter(rng)
    this.ctx = {
      nodeId: this.nodeId,
      token,
      logger: this.log,
      settings,
      faults: this.faults,
      counters: this.counters,
      rng,
      deliver: (link, conn, bytes) => this.deliver(link, conn, bytes),
      unreachable: (id) => this.reportUnreachable(id),
      lost: (id) => this.notify(this.lostListeners, id, 'onPeerLost'),
      removedBy: (id, how) => {
        for (const cb of this.removedListeners) cb(id, how)
      },
    }
  }

  /**
   * The membership: node id -> "host:port" of its server. Entries for this node are
   * ignored. New peers are connected, removed ones disconnected (their queued
   * messages dropped), changed addresses redialed.
   */
  setPeers(peers: ReadonlyMap<number, string>): void {
    if (this.closed) throw new ServerStateError('the peer transport is closed')
    const next = new Map<number, string>()
    for (const [id, addr] of peers) {
      checkNodeId('peer id', id)
      if (id !== this.nodeId) next.set(id, checkAddr(`peer ${id}`, addr))
    }
    for (const [id, link] of this.links) {
      if (next.has(id)) continue
      this.links.delete(id)
      this.log.info({ peer: id }, 'peer removed')
      void link.close(CloseCode.PeerRemoved, 'peer removed from the membership')
    }
    for (const [id, addr] of next) {
      const link = this.links.get(id)
      if (link) link.setAddress(addr)
      else this.links.set(id, new PeerLink(this.ctx, id, addr))
    }
  }

  /** The current membership as given to setPeers (without this node). */
  peers(): Map<number, string> {
    return new Map([...this.links].map(([id, link]) => [id, link.address]))
  }

  isKnownPeer(id: number): boolean {
    return this.links.has(id)
  }

  /**
   * Sends raft messages: grouped by `to`, the messages of this call to one peer leave
   * as one RaftBatch frame (split only when it would exceed maxFrameBytes). Never
   * throws for network conditions: what cannot be sent is dropped and counted, and
   * the peer reported unreachable when it was not a fault filter's doing.
   */
  send(msgs: readonly eraftpb.Message.$Properties[]): void {
    if (this.closed) return
    const byPeer = new Map<number, eraftpb.Message.$Properties[]>()
    for (const m of msgs) {
      const to = m.to ?? 0
      let group = byPeer.get(to)
      if (!group) byPeer.set(to, (group = []))
      group.push(m)
    }
    const unreachable = new Set<number>()
    const dropped = this.counters.dropped
    for (const [to, group] of byPeer) {
      const link = this.links.get(to)
      if (!link) {
        dropped.unknownPeer += group.length
        unreachable.add(to)
        continue
      }
      if (this.faults.isBlocked(to)) {
        dropped.blocked += group.length
        continue
      }
      const kept = group.filter(() => !this.faults.shouldDrop(to))
      dropped.dropRate += group.length - kept.length
      if (kept.length === 0) continue
      this.countSent(to, kept)
      const { frames, tooLarge } = encodeRaftFrames(this.regionId, this.nodeId, to, kept, this.maxFrameBytes)
      if (tooLarge.length > 0) {
        dropped.tooLarge += tooLarge.length
        unreachable.add(to)
        this.log.warn({ peer: to, count: tooLarge.length, maxFrameBytes: this.maxFrameBytes }, 'dropping raft messages larger than the frame limit')
      }
      const delay = this.faults.delay(to)
      let full = 0
      for (const frame of frames) {
        if (!link.enqueue(frame.bytes, frame.count, delay)) {
          dropped.queueFull += frame.count
          full += frame.count
        }
      }
      if (full > 0) {
        unreachable.add(to)
        this.log.debug({ peer: to, dropped: full }, 'send queue full: dropping raft messages')
      }
    }
    for (const id of unreachable) this.reportUnreachable(id)
  }

  /** Called with the messages of each frame received (after the fault filter). */
  onMessages(cb: MessagesListener): () => void {
    this.messageListeners.add(cb)
    return () => this.messageListeners.delete(cb)
  }

  /** Called when a peer's connection is lost, a dial fails, or messages to it are dropped for want of room. */
  onUnreachable(cb: UnreachableListener): () => void {
    this.unreachableListeners.add(cb)
    return () => this.unreachableListeners.delete(cb)
  }

  /** Called when a peer's connection closed and a connect to its address was refused (its process is gone). */
  onPeerLost(cb: LostListener): () => void {
    this.lostListeners.add(cb)
    return () => this.lostListeners.delete(cb)
  }

  /** Called when a peer that accepted this node before refuses it as a non-member (this node was removed). */
  onRemovedBy(cb: RemovedListener): () => void {
    this.removedListeners.add(cb)
    return () => this.removedListeners.delete(cb)
  }

  /** Replaces the fault filters; throws InvalidFaultsError (and keeps the old ones) on bad input. */
  setFaults(faults: Faults): void {
    this.faults.set(faults)
    this.log.info({ faults: this.faults.get() }, 'fault filters set')
  }

  getFaults(): Faults {
    return this.faults.get()
  }

  stats(): TransportStats {
    const c = this.counters
    return {
      ...c,
      dropped: { ...c.dropped },
      sentByPeer: Object.fromEntries(Object.entries(c.sentByPeer).map(([p, t]) => [p, { ...t }])),
      peers: [...this.links.values()].map((l) => l.stats()).sort((a, b) => a.id - b.id),
    }
  }

  /** The server's question before it accepts an upgrade to /raft. */
  checkInbound(fromHeader: string | string[] | undefined): InboundVerdict {
    if (this.closed) return { ok: false, status: 503, reason: 'node shutting down' }
    const from = parseNodeId(fromHeader)
    if (from === undefined) return { ok: false, status: 400, reason: 'missing or invalid x-raftkv-from header' }
    if (!this.links.has(from)) return { ok: false, status: 403, reason: `node ${from} is not a known peer` }
    if (from > this.nodeId) {
      return { ok: false, status: 409, reason: `node ${from} must wait for node ${this.nodeId} to dial it (the smaller id dials)` }
    }
    return { ok: true, peerId: from }
  }

  /** Takes an accepted /raft connection whose peerId passed checkInbound. */
  attachInbound(conn: Connection): void {
    const link = conn.peerId === undefined ? undefined : this.links.get(conn.peerId)
    if (!link || link.mode !== 'accept') {
      conn.close(CloseCode.PeerRemoved, 'not a known peer')
      return
    }
    link.attach(conn)
  }

  /** Closes every peer connection and stops redialing. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const links = [...this.links.values()]
    this.links.clear()
    await Promise.all(links.map((l) => l.close(CloseCode.GoingAway, 'node shutting down')))
    this.messageListeners.clear()
    this.unreachableListeners.clear()
    this.lostListeners.clear()
    this.removedListeners.clear()
  }

  private deliver(link: PeerLink, conn: Connection, bytes: Uint8Array): void {
    const c = this.counters
    c.framesReceived++
    c.bytesReceived += bytes.length
    let decoded
    try {
      decoded = decodeRaftFrame(bytes)
    } catch (err) {
      if (!(err instanceof BadFrameError)) throw err
      c.badFrames++
      this.log.warn({ peer: link.id, conn: conn.id, bytes: bytes.length, err: err.message }, 'closing peer connection: frame does not decode (1007)')
      conn.close(CloseCode.InvalidPayload, 'frame does not decode as a raft_serverpb.RaftBatch')
      return
    }
    if (this.faults.isBlocked(link.id)) {
      c.dropped.blockedIncoming += decoded.length
      return
    }
    const msgs: eraftpb.Message[] = []
    let spoofed = 0
    let outOfBound = 0
    for (const m of decoded) {
      if (m.fromPeer !== link.id || m.toPeer !== this.nodeId || m.regionId !== this.regionId) {
        c.dropped.misrouted++
      } else if (!this.fromIsSender(m.message, link.id) || (m.message.to ?? 0) !== this.nodeId) {
        // The inner from/to is what raft acts on: it must be the authenticated peer and us.
        c.dropped.spoofed++
        spoofed++
      } else if (!withinWireBounds(m.message)) {
        c.dropped.outOfBound++
        outOfBound++
      } else {
        msgs.push(m.message)
      }
    }
    const misrouted = decoded.length - msgs.length - spoofed - outOfBound
    if (misrouted > 0) {
      this.log.warn({ peer: link.id, misrouted }, 'dropping raft messages not addressed from this peer to this node')
    }
    if ((spoofed > 0 || outOfBound > 0) && !this.warnedConns.has(conn)) {
      this.warnedConns.add(conn)
      this.log.warn({ event: 'raft-messages-refused', peer: link.id, conn: conn.id, remote: conn.remoteAddress, spoofed, outOfBound, maxTerm: MAX_WIRE_TERM },
        `dropping raft messages from node ${link.id}'s link whose inner from/to is not that peer and this node, or whose term or index is over ${MAX_WIRE_TERM} (logged once per connection; counted in dropped.spoofed / dropped.outOfBound)`)
    }
    if (msgs.length === 0) return
    c.messagesReceived += msgs.length
    for (const cb of this.messageListeners) {
      try {
        cb(msgs)
      } catch (err) {
        this.log.error({ err }, 'onMessages listener threw')
      }
    }
  }

  /** Messages handed to the link to `to`, by type (the manager's per-link rates). */
  private countSent(to: number, msgs: readonly eraftpb.Message.$Properties[]): void {
    let byType = this.counters.sentByPeer[to]
    if (!byType) this.counters.sentByPeer[to] = byType = {}
    for (const m of msgs) {
      const type = messageTypeName(m.msgType ?? 0)
      byType[type] = (byType[type] ?? 0) + 1
    }
  }

  /**
   * Raft acts on the inner `from`: it must be the authenticated peer. A forwarded
   * MsgTransferLeader names its transferee there instead, which must be a member.
   */
  private fromIsSender(m: eraftpb.Message, sender: number): boolean {
    const from = m.from ?? 0
    if (from === sender) return true
    return m.msgType === MessageType.MsgTransferLeader && (from === this.nodeId || this.links.has(from))
  }

  private reportUnreachable(id: number): void {
    this.notify(this.unreachableListeners, id, 'onUnreachable')
  }

  private notify(listeners: ReadonlySet<(peerId: number) => void>, id: number, what: string): void {
    for (const cb of listeners) {
      try {
        cb(id)
      } catch (err) {
        this.log.error({ err }, `${what} listener threw`)
      }
    }
  }
}

/** Terms and indexes at most MAX_WIRE_TERM, in the message and in each of its entries. */
function withinWireBounds(m: eraftpb.Message): boolean {
  const ok = (v: number | null | undefined): boolean => (v ?? 0) <= MAX_WIRE_TERM
  if (!ok(m.term) || !ok(m.logTerm) || !ok(m.index) || !ok(m.commit) || !ok(m.rejectHint)) return false
  for (const e of m.entries ?? []) if (!ok(e.term) || !ok(e.index)) return false
  const meta = m.snapshot?.metadata
  return !meta || (ok(meta.term) && ok(meta.index))
}
