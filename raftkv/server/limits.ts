// Request limits of the KV service. A /kv frame is at most 1 MiB (transport default), so
// a put's key + value must fit well inside it; scans return at most MAX_SCAN_LIMIT pairs.
import { NODE_DEFAULTS } from './node-defaults.js'

export const MAX_KEY_BYTES = 4 * 1024
export const MAX_VALUE_BYTES = 512 * 1024
export const MAX_SCAN_LIMIT = 10_000
export const DEFAULT_SCAN_LIMIT = 1_000
/** A scan answer stops once its keys and values reach this many bytes (`more` is then set). */
export const MAX_SCAN_REPLY_BYTES = 4 * 1024 * 1024
/** A write or read not answered within this long gets TIMEOUT (its outcome is unknown). */
export const DEFAULT_REQUEST_TIMEOUT_MS = NODE_DEFAULTS.requestTimeoutMs
/** Proposals queued but not yet proposed; beyond this the node answers SERVER_BUSY. */
export const MAX_PENDING_PROPOSALS = 100_000

/** Status streams (/admin watchStatus): the interval is clamped to [min, max] ms. */
export const MIN_WATCH_INTERVAL_MS = 50
export const MAX_WATCH_INTERVAL_MS = 60_000
/** Status streams one /admin connection may run, and the whole node. */
export const MAX_WATCHES_PER_CONNECTION = 4
export const MAX_WATCHES_PER_NODE = 64
/** A stream skips a frame while its socket still buffers this much (a slow reader). */
export const WATCH_MAX_BUFFERED_BYTES = 1024 * 1024
