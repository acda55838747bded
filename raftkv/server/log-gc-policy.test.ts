// When the leader proposes CompactLog, and up to which index.
import { describe, expect, it } from 'vitest'
import { compactLogIndex, PENDING_COMPACT_MS, type LogGcState } from './log-gc-policy.js'

const base: LogGcState = {
  isLeader: true, applied: 1500, truncated: 0, logBytes: 1000, countLimit: 1000, sizeLimit: 64 << 20,
  followerMatches: [1500, 1500], pendingCompact: 0, pendingCompactAgeMs: 0,
}

const cases: { name: string; change: Partial<LogGcState>; index: number }[] = [
  { name: 'followers all caught up: compact to applied', change: {}, index: 1500 },
  { name: 'a follower behind but within the count limit: compact to what every follower has', change: { followerMatches: [1500, 900] }, index: 900 },
  { name: 'a follower too far behind: compact to applied (it catches up through a snapshot)', change: { followerMatches: [1500, 400] }, index: 1500 },
  { name: 'a follower that has nothing beyond the truncated index: compact to applied', change: { truncated: 600, applied: 1700, followerMatches: [1700, 600] }, index: 1700 },
  { name: 'not the leader: never', change: { isLeader: false }, index: 0 },
  { name: 'log under both limits: not yet', change: { applied: 999 }, index: 0 },
  { name: 'log under the count limit but over the size limit: compact', change: { applied: 200, followerMatches: [200, 200], logBytes: 64 << 20 }, index: 200 },
  { name: 'a CompactLog still pending: wait for it', change: { pendingCompact: 1400, pendingCompactAgeMs: 100 }, index: 0 },
  { name: 'a pending CompactLog lost long ago: propose again', change: { pendingCompact: 1400, pendingCompactAgeMs: PENDING_COMPACT_MS }, index: 1500 },
  { name: 'a pending CompactLog already applied (truncated caught up): propose the next', change: { truncated: 1400, applied: 2500, followerMatches: [2500, 2500], pendingCompact: 1400, pendingCompactAgeMs: 10 }, index: 2500 },
  { name: 'a single-node cluster: compact to applied', change: { followerMatches: [] }, index: 1500 },
]

describe('compactLogIndex', () => {
  it.each(cases)('$name', ({ change, index }) => {
    expect(compactLogIndex({ ...base, ...change })).toBe(index)
  })
})
