// The order in which the driver carries out one Ready, decided apart from doing it.
//
// Raft's rule: persist entries + hard state, then send messages, then apply. One
// refinement: committed entries that are already on disk do not depend on this Ready's
// write, so they are applied (and their clients answered, and reads served) before its
// fsync. For that, the commit index covering them is written first, so that the applied
// index on disk never runs ahead of the persisted commit. Not when the Ready installs a
// snapshot (it must land first), and never an entry that this Ready's entries overwrite
// (the copy on disk may be stale). A Ready without new entries has a small write: it is
// applied after it, as usual.
import type { HardState } from '../raft/index.js'

export interface ReadyShape {
  /** The last log index on disk before this Ready is persisted. */
  persistedLastIndex: number
  /** Index of the first entry this Ready persists (it overwrites from there on), or 0 for none. */
  firstNewIndex: number
  /** Whether the Ready carries a snapshot to install. */
  hasSnapshot: boolean
  /** Indexes of the Ready's committed entries, in order. */
  committedIndexes: readonly number[]
  /** The Ready's hard state (all zero: unchanged). */
  hardState: HardState
}

export type ReadyStep =
  /** Write (synced) this hard state alone: the commit that covers the early-applied entries. */
  | { kind: 'persist-commit'; hardState: HardState }
  /** Apply committedEntries[start, end), answer their proposals, and serve reads now possible. */
  | { kind: 'apply'; start: number; end: number }
  /** The Ready's own write: entries, hard state, snapshot (one synced batch). */
  | { kind: 'persist' }
  | { kind: 'send' }
  /** Note the Ready's readStates (their read index), advance raft, serve reads now possible. */
  | { kind: 'advance' }

/** How many committed entries may be applied before the Ready's own write. */
export function earlyApplyCount(r: ReadyShape): number {
  if (r.firstNewIndex === 0 || r.hasSnapshot) return 0
  const limit = Math.min(r.persistedLastIndex, r.firstNewIndex - 1)
  let n = 0
  while (n < r.committedIndexes.length && r.committedIndexes[n]! <= limit) n++
  return n
}

export function planReady(r: ReadyShape): ReadyStep[] {
  const total = r.committedIndexes.length
  const early = earlyApplyCount(r)
  const steps: ReadyStep[] = []
  if (early > 0) {
    const hs = r.hardState
    // An all-zero hard state is unchanged: the commit on disk already covers these entries.
    if ((hs.term ?? 0) !== 0) {
      const limit = Math.min(r.persistedLastIndex, r.firstNewIndex - 1)
      steps.push({ kind: 'persist-commit', hardState: { term: hs.term, vote: hs.vote, commit: Math.min(hs.commit ?? 0, limit) } })
    }
    steps.push({ kind: 'apply', start: 0, end: early })
  }
  steps.push({ kind: 'persist' }, { kind: 'send' })
  if (early < total) steps.push({ kind: 'apply', start: early, end: total })
  steps.push({ kind: 'advance' })
  return steps
}
