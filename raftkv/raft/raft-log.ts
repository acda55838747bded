// RaftLog: the log as raft sees it — entries held in memory (stable and unstable) on
// top of Storage, plus a snapshot received but not yet handed to the application.
import type { Entry, Snapshot } from './types.js'
import type { Storage } from './storage.js'
import { ErrCompacted, ErrUnavailable } from './errors.js'
import { isEmptySnap } from './types.js'

const idx = (e: Entry): number => e.index ?? 0
const trm = (e: Entry): number => e.term ?? 0

/**
 * Invariants: applied <= committed <= lastIndex(); entries[i] has index
 * entries[0].index + i; every entry with index <= stabled is in Storage.
 */
export class RaftLog {
  storage: Storage
  /** Highest index known to be committed on a quorum. */
  committed: number
  /** Highest index the application has applied (told by advance()). */
  applied: number
  /** Entries up to this index are persisted in Storage. */
  stabled: number
  /** Every entry not yet compacted, from Storage's first index on. */
  entries: Entry[]
  /** A snapshot received from the leader, to be handed out in the next Ready. */
  pendingSnapshot?: Snapshot

  constructor(storage: Storage) {
    this.storage = storage
    const first = storage.firstIndex()
    const last = storage.lastIndex()
    this.entries = last >= first ? storage.entries(first, last + 1) : []
    this.stabled = last
    this.committed = storage.initialState().hardState.commit ?? 0
    this.applied = first - 1
  }

  private pendingIndex(): number {
    return this.pendingSnapshot && !isEmptySnap(this.pendingSnapshot) ? this.pendingSnapshot.metadata!.index ?? 0 : 0
  }

  firstIndex(): number {
    if (this.entries.length > 0) return idx(this.entries[0]!)
    const p = this.pendingIndex()
    if (p > 0) return p + 1
    return this.storage.firstIndex()
  }

  lastIndex(): number {
    if (this.entries.length > 0) return idx(this.entries[this.entries.length - 1]!)
    const p = this.pendingIndex()
    if (p > 0) return p
    return this.storage.lastIndex()
  }

  lastTerm(): number {
    return this.term(this.lastIndex())
  }

  /** Term of entry i. Throws ErrCompacted (before the log) or ErrUnavailable (past it). */
  term(i: number): number {
    const p = this.pendingIndex()
    if (p > 0 && i <= p) {
      if (i === p) return this.pendingSnapshot!.metadata!.term ?? 0
      throw ErrCompacted
    }
    const n = this.entries.length
    if (n > 0) {
      const first = idx(this.entries[0]!)
      if (i >= first) {
        if (i - first >= n) throw ErrUnavailable
        return trm(this.entries[i - first]!)
      }
    }
    return this.storage.term(i)
  }

  /** Whether entry i exists with term t. */
  matchTerm(i: number, t: number): boolean {
    try {
      return this.term(i) === t
    } catch {
      return false
    }
  }

  /** §5.4.1: a log ending at (lastIndex, lastTerm) is at least as up-to-date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm()
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex())
  }

  /** Every entry held, no dummy entries. */
  allEntries(): Entry[] {
    return this.entries.slice()
  }

  /** Entries not yet persisted. */
  unstableEntries(): Entry[] {
    const n = this.entries.length
    if (n === 0) return []
    const first = idx(this.entries[0]!)
    const from = Math.max(this.stabled + 1 - first, 0)
    return from >= n ? [] : this.entries.slice(from)
  }

  /** Entries committed but not yet applied. */
  nextEnts(): Entry[] {
    const n = this.entries.length
    if (n === 0 || this.committed <= this.applied) return []
    const first = idx(this.entries[0]!)
    const lo = Math.max(this.applied + 1, first)
    const hi = Math.min(this.committed, idx(this.entries[n - 1]!))
    if (lo > hi) return []
    return this.entries.slice(lo - first, hi - first + 1)
  }

  hasNextEnts(): boolean {
    const n = this.entries.length
    if (n === 0 || this.committed <= this.applied) return false
    return Math.min(this.committed, idx(this.entries[n - 1]!)) >= Math.max(this.applied + 1, idx(this.entries[0]!))
  }

  /**
   * Entries in [lo, hi), at most maxSize bytes of data (but at least one entry).
   * Throws ErrCompacted when lo is before the log.
   */
  slice(lo: number, hi: number, maxSize = Infinity): Entry[] {
    if (lo >= hi) return []
    const first = this.firstIndex()
    if (lo < first) throw ErrCompacted
    if (hi > this.lastIndex() + 1) throw ErrUnavailable
    let ents: Entry[]
    const memFirst = this.entries.length > 0 ? idx(this.entries[0]!) : this.lastIndex() + 1
    if (lo >= memFirst) {
      ents = this.entries.slice(lo - memFirst, hi - memFirst)
    } else {
      ents = this.storage.entries(lo, Math.min(hi, memFirst)).concat(this.entries.slice(0, Math.max(0, hi - memFirst)))
    }
    if (maxSize !== Infinity) ents = limitSize(ents, maxSize)
    return ents
  }

  /**
   * The index of the first entry of ents that conflicts with the log (same index,
   * different term) or is new; 0 when every entry is already there.
   */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(idx(e), trm(e))) return idx(e)
    }
    return 0
  }

  /**
   * The largest index <= index whose term is <= term: where a leader (or follower)
   * can resume after a rejection, skipping a whole term of mismatching entries.
   */
  findConflictByTerm(index: number, term: number): number {
    for (let i = index; i > 0; i--) {
      let t: number
      try {
        t = this.term(i)
      } catch {
        return i
      }
      if (t <= term) return i
    }
    return 0
  }

  /** Appends entries after the last one (leader path). */
  append(ents: Entry[]): number {
    for (const e of ents) this.entries.push(e)
    return this.lastIndex()
  }

  /** Appends entries, replacing every entry from the first one's index on (follower path). */
  truncateAndAppend(ents: Entry[]): void {
    if (ents.length === 0) return
    const after = idx(ents[0]!)
    const last = this.lastIndex()
    if (after === last + 1) {
      for (const e of ents) this.entries.push(e)
      return
    }
    const memFirst = this.entries.length > 0 ? idx(this.entries[0]!) : last + 1
    if (after <= memFirst) {
      // Replaces everything held in memory (the log restarts at `after`).
      this.entries = ents.slice()
    } else {
      this.entries = this.entries.slice(0, after - memFirst).concat(ents)
    }
    this.stabled = Math.min(this.stabled, after - 1)
  }

  commitTo(tocommit: number): void {
    if (tocommit > this.committed) this.committed = tocommit
  }

  /** Commits up to maxIndex if that entry is of the given term (§5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.matchTerm(maxIndex, term)) {
      this.committed = maxIndex
      return true
    }
    return false
  }

  appliedTo(i: number): void {
    if (i === 0) return
    if (i > this.applied) this.applied = Math.min(i, this.committed)
  }

  /** Marks entries up to i (of term t) persisted, unless they were replaced meanwhile. */
  stableTo(i: number, t: number): void {
    if (this.matchTerm(i, t) && i > this.stabled) this.stabled = i
  }

  /** Resets the log to the snapshot: nothing before it, nothing after it yet. */
  restore(s: Snapshot): void {
    const index = s.metadata?.index ?? 0
    this.entries = []
    this.pendingSnapshot = s
    this.committed = index
    this.applied = index
    this.stabled = index
  }

  /** Drops in-memory entries that Storage has compacted away. */
  maybeCompact(): void {
    const n = this.entries.length
    if (n === 0) return
    const first = idx(this.entries[0]!)
    const storageFirst = this.storage.firstIndex()
    if (storageFirst <= first) return
    // Keep unstable entries and anything not yet applied, whatever storage says.
    const keepFrom = Math.min(storageFirst, this.stabled + 1, this.applied + 1)
    if (keepFrom <= first) return
    this.entries = this.entries.slice(Math.min(keepFrom - first, n))
  }
}

function entrySize(e: Entry): number {
  return (e.data ? e.data.length : 0) + 24
}

export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length === 0) return ents
  let size = entrySize(ents[0]!)
  let i = 1
  for (; i < ents.length; i++) {
    size += entrySize(ents[i]!)
    if (size > maxSize) break
  }
  return i === ents.length ? ents : ents.slice(0, i)
}
