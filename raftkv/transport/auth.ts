// The cluster token: every upgrade presents `authorization: Bearer <token>`.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export type TokenCheck = 'ok' | 'missing' | 'wrong'

export function bearer(token: string): string {
  return `Bearer ${token}`
}

/** Compares in constant time (over digests, so lengths leak nothing either). */
export function checkBearer(header: string | undefined, token: string): TokenCheck {
  if (header === undefined || header === '') return 'missing'
  const match = /^Bearer (.+)$/.exec(header)
  if (!match) return 'wrong'
  const given = createHash('sha256').update(match[1]!).digest()
  const expected = createHash('sha256').update(token).digest()
  return timingSafeEqual(given, expected) ? 'ok' : 'wrong'
}

/** Parses a node id header: a positive safe integer, else undefined. */
export function parseNodeId(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) return undefined
  const id = Number(value)
  return Number.isSafeInteger(id) ? id : undefined
}

/**
 * A peer's credential: HMAC-SHA256 of its node id keyed by the cluster token. A peer
 * presents it (x-raftkv-peer-proof) when it dials /raft or /snapshot, so a connection
 * claiming node N was made by a holder of the token that meant to be N, not by a
 * client that typed another node's id.
 */
export function peerCredential(token: string, nodeId: number): string {
  return createHmac('sha256', token).update(`raftkv-peer:${nodeId}`).digest('base64url')
}

/** Constant-time check of a presented peer credential. */
export function checkPeerCredential(header: string | string[] | undefined, token: string, nodeId: number): boolean {
  if (typeof header !== 'string' || header === '') return false
  const given = createHash('sha256').update(header).digest()
  const expected = createHash('sha256').update(peerCredential(token, nodeId)).digest()
  return timingSafeEqual(given, expected)
}
