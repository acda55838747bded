// What makes a membership change acceptable. The same structural check runs at every
// door (CLI, /admin, the driver's proposal) and when a committed conf change is applied,
// so a bad change can neither be proposed nor, if one is in the log, take effect.
import { isNodeId, isPeerAddr } from '../transport/index.js'
import type { PeerInfo } from '../storage/index.js'

export type PeerChangeKind = 'add' | 'remove'

/** Why a change cannot take effect, in words for the refusal's log line and answer. */
export type PeerChangeProblem = string

/**
 * Checks a change against the membership it would apply to: a node id that is a
 * positive safe integer, an address that is host:port (or empty for an add: the peer
 * dials in), and never a removal of the last member. Returns undefined when it may apply.
 */
export function peerChangeProblem(kind: PeerChangeKind, peer: { id: unknown; addr: unknown }, members: readonly PeerInfo[]): PeerChangeProblem | undefined {
  if (!isNodeId(peer.id)) return `peer id ${String(peer.id)} is not a node id (a positive integer below 2^53)`
  if (kind === 'add') {
    if (typeof peer.addr !== 'string') return 'the address must be a string'
    if (peer.addr !== '' && !isPeerAddr(peer.addr)) return `address "${peer.addr.slice(0, 80)}" is not host:port (letters, digits, dots and dashes, at most 259 characters)`
    return undefined
  }
  if (members.length === 1 && members[0]!.id === peer.id) return 'the last member cannot be removed'
  return undefined
}
