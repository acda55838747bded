// The cluster token: every upgrade presents `authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto'

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
