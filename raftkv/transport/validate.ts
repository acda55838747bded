// Checks of constructor options and arguments; each failure is an InvalidArgumentError.
import { InvalidArgumentError } from './errors.js'

export function checkNodeId(name: string, v: unknown): number {
  if (!isNodeId(v)) {
    throw new InvalidArgumentError(`${name} must be a positive integer node id, got ${String(v)}`)
  }
  return v
}

/** An integer in [min, max]; `fallback` when undefined. */
export function checkInt(name: string, v: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`)
  }
  return v
}

/** A finite number >= 0; `fallback` when undefined. */
export function checkNonNegative(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new InvalidArgumentError(`${name} must be a finite number >= 0, got ${String(v)}`)
  }
  return v
}

export function checkToken(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw new InvalidArgumentError('token must be a non-empty string')
  if (/[\r\n]/.test(v)) throw new InvalidArgumentError('token must not contain line breaks')
  return v
}

/** Longest peer address accepted: a DNS name (253) plus ":65535". */
export const MAX_PEER_ADDR_LENGTH = 253 + 6

/** Whether v is "host:port" or "[v6]:port" (port 1..65535, at most MAX_PEER_ADDR_LENGTH characters). */
export function isPeerAddr(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > MAX_PEER_ADDR_LENGTH) return false
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(v)
  const port = m ? Number(m[2]) : 0
  return m !== null && port >= 1 && port <= 65535
}

/** "host:port" or "[v6]:port", port 1..65535. Returns it unchanged. */
export function checkAddr(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new InvalidArgumentError(`${name} must be a "host:port" string`)
  if (!isPeerAddr(v)) throw new InvalidArgumentError(`${name}: "${v.slice(0, 80)}" is not host:port`)
  return v
}

/** Whether v is a node id: a positive safe integer. */
export function isNodeId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0
}
