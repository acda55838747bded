// Wire constants: WebSocket close codes this package sends (RFC 6455 §7.4.1, plus 4xxx
// for our own), the headers of the handshake, sizes.

export const CloseCode = {
  /** Normal closure (a finished snapshot stream, an orderly shutdown of a link). */
  Normal: 1000,
  /** The node is shutting down. */
  GoingAway: 1001,
  /** A text frame where only binary frames are accepted. */
  UnsupportedData: 1003,
  /** A frame that does not decode (ws also uses this code for invalid UTF-8). */
  InvalidPayload: 1007,
  /** The peer broke the protocol (e.g. messages not addressed to this link). */
  PolicyViolation: 1008,
  /** A frame over the size limit (ws closes with it when maxPayload is exceeded). */
  MessageTooBig: 1009,
  /** An unexpected failure on this side. */
  InternalError: 1011,
  /** The receiver runs its maximum of transfers: try again later. */
  TryAgainLater: 1013,
  /** A newer connection from the same peer took this one's place. */
  Replaced: 4000,
  /** The peer was removed from the membership, or is blocked from this path. */
  PeerRemoved: 4001,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Header a peer sends with its own node id when it dials /raft or /snapshot. */
export const FROM_HEADER = 'x-raftkv-from'
/** Header the server adds to every upgrade response: its own node id. */
export const ID_HEADER = 'x-raftkv-id'
/** Header a peer sends with its credential (see auth.ts peerCredential) when it dials /raft or /snapshot. */
export const PEER_PROOF_HEADER = 'x-raftkv-peer-proof'

/**
 * The largest raft term (and log index) accepted from the network. A message carrying
 * more is dropped at the door: one election adds 1 to the term, so an honest cluster
 * never gets near it (2^48 elections), and no message can push a node towards 2^53,
 * where the term stops being an exact number.
 */
export const MAX_WIRE_TERM = 2 ** 48

export const MiB = 1024 * 1024
