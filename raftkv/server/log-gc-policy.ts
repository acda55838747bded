// Log GC (leader only): when to propose CompactLog, and up to which index.
// Once the applied log outgrows a limit, compact up to what every follower already has,
// or up to applied when one lags too far behind (it will catch up through a snapshot).
// One CompactLog at a time; one that has not applied within PENDING_COMPACT_MS is given up.

export const PENDING_COMPACT_MS = 5_000

export interface LogGcState {
  isLeader: boolean
  applied: number
  truncated: number
  logBytes: number
  countLimit: number
  sizeLimit: number
  /** Match index of every follower (the leader itself left out). */
  followerMatches: readonly number[]
  /** Index of the CompactLog proposed last (0: none), and how long ago (ms). */
  pendingCompact: number
  pendingCompactAgeMs: number
}

/** The index to compact the log up to, or 0 for none now. */
export function compactLogIndex(s: LogGcState): number {
  if (!s.isLeader) return 0
  if (s.applied - s.truncated < s.countLimit && s.logBytes < s.sizeLimit) return 0
  if (s.pendingCompact > s.truncated && s.pendingCompactAgeMs < PENDING_COMPACT_MS) return 0
  const minMatch = Math.min(s.applied, ...s.followerMatches)
  const index = minMatch > s.truncated && s.applied - minMatch < s.countLimit ? minMatch : s.applied
  return index > s.truncated ? index : 0
}
