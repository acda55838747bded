// Counters of the /raft transport, exposed through stats() for the /admin status.

/** Why a raft message did not reach (or was not taken from) the wire. */
export type DropReason =
  /** Outgoing to a blocked peer (fault filter). */
  | 'blocked'
  /** Incoming from a blocked peer (fault filter). */
  | 'blockedIncoming'
  /** Picked by the fault filter's drop rate. */
  | 'dropRate'
  /** The peer's send queue was over its byte bound. */
  | 'queueFull'
  /** Addressed to a node that is not in the membership. */
  | 'unknownPeer'
  /** Alone larger than the frame limit. */
  | 'tooLarge'
  /** Queued for a peer that was then removed, or when the transport closed. */
  | 'removed'
  /** Incoming but not addressed from this link's peer to this node. */
  | 'misrouted'
  /** Handed to a socket that closed before writing them. */
  | 'connectionLost'
  /** Incoming with an inner from/to that is not this link's peer and this node. */
  | 'spoofed'
  /** Incoming with a term or index over MAX_WIRE_TERM. */
  | 'outOfBound'

export const DROP_REASONS: readonly DropReason[] = [
  'blocked', 'blockedIncoming', 'dropRate', 'queueFull', 'unknownPeer', 'tooLarge', 'removed', 'misrouted', 'connectionLost', 'spoofed', 'outOfBound',
]

export interface PeerLinkStats {
  id: number
  addr: string
  /** 'dial': this node connects to the peer (smaller id dials larger); 'accept': the peer connects here. */
  mode: 'dial' | 'accept'
  connected: boolean
  queuedFrames: number
  queuedBytes: number
  /** ws bufferedAmount of the live socket. */
  bufferedBytes: number
  reconnects: number
}

export interface TransportStats {
  framesSent: number
  framesReceived: number
  messagesSent: number
  messagesReceived: number
  bytesSent: number
  bytesReceived: number
  /** Messages dropped, by reason. */
  dropped: Record<DropReason, number>
  /** Connections re-established after the first one, over all peers. */
  reconnects: number
  /** Frames that did not decode (each closed its connection). */
  badFrames: number
  /** Messages handed to each peer's link (after the fault filters), by peer id and message type name. */
  sentByPeer: Record<number, Record<string, number>>
  peers: PeerLinkStats[]
}

export type Counters = Omit<TransportStats, 'peers'>

export function newCounters(): Counters {
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>
  return {
    framesSent: 0, framesReceived: 0, messagesSent: 0, messagesReceived: 0,
    bytesSent: 0, bytesReceived: 0, dropped, reconnects: 0, badFrames: 0, sentByPeer: {},
  }
}
