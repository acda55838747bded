// Request limits of the KV service. A /kv frame is at most 1 MiB (transport default), so
// a put's key + value must fit well inside it; scans return at most MAX_SCAN_LIMIT pairs.
import { NODE_DEFAULTS } from './node-defaults.js'

export const MAX_KEY_BYTES = 4 * 1024
export const MAX_VALUE_BYTES = 512 * 1024
export const MAX_SCAN_LIMIT = 10_000
export const DEFAULT_SCAN_LIMIT = 1_000
/** A write or read not answered within this long gets TIMEOUT (its outcome is unknown). */
export const DEFAULT_REQUEST_TIMEOUT_MS = NODE_DEFAULTS.requestTimeoutMs
/** Proposals queued but not yet proposed; beyond this the node answers SERVER_BUSY. */
export const MAX_PENDING_PROPOSALS = 100_000
