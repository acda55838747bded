// Storage: what raft reads of the stable log; MemoryStorage, the in-memory one.
import type { ConfState, Entry, HardState, Snapshot } from './types.js'
import { ErrCompacted, ErrSnapOutOfDate, ErrUnavailable, OutOfBoundError } from './errors.js'

/**
 * The application's stable storage, as raft reads it. Raft never writes to it: the
 * application persists Ready.entries / hardState / snapshot, then calls advance().
 * Errors are thrown (ErrCompacted, ErrUnavailable, ErrSnapshotTemporarilyUnavailable).
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState }
  /** Entries in [lo, hi). Throws ErrCompacted below firstIndex, ErrUnavailable past lastIndex+1. */
  entries(lo: number, hi: number): Entry[]
  /** Term of entry i, for i in [firstIndex-1, lastIndex]. */
  term(i: number): number
  lastIndex(): number
  /** Index of the first entry held (the entry before it is only known by its term). */
  firstIndex(): number
  /** The most recent snapshot. Throws ErrSnapshotTemporarilyUnavailable while one is being built. */
  snapshot(): Snapshot
}

const idx = (e: Entry): number => e.index ?? 0
const trm = (e: Entry): number => e.term ?? 0

/**
 * Storage kept in memory. ents[0] is a dummy entry whose index and term are those of
 * the last compacted entry (the snapshot's); ents[i] has index ents[0].index + i.
 */
export class MemoryStorage implements Storage {
  hardState: HardState = { term: 0, vote: 0, commit: 0 }
  snap: Snapshot = { metadata: { index: 0, term: 0, confState: { nodes: [] } } }
  ents: Entry[]

  constructor() {
    this.ents = [{ index: 0, term: 0 }]
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata?.confState ?? { nodes: [] } }
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term ?? 0, vote: hs.vote ?? 0, commit: hs.commit ?? 0 }
  }

  private offset(): number {
    return idx(this.ents[0]!)
  }

  entries(lo: number, hi: number): Entry[] {
    const offset = this.offset()
    if (lo <= offset) throw ErrCompacted
    if (hi > this.lastIndex() + 1) throw ErrUnavailable
    if (lo >= hi) return []
    return this.ents.slice(lo - offset, hi - offset)
  }

  term(i: number): number {
    const offset = this.offset()
    if (i < offset) throw ErrCompacted
    if (i - offset >= this.ents.length) throw ErrUnavailable
    return trm(this.ents[i - offset]!)
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1
  }

  firstIndex(): number {
    return this.offset() + 1
  }

  snapshot(): Snapshot {
    return this.snap
  }

  /** Replaces the storage's contents with the snapshot's. Throws ErrSnapOutOfDate for an older one. */
  applySnapshot(s: Snapshot): void {
    const index = s.metadata?.index ?? 0
    const snapIndex = this.snap.metadata?.index ?? 0
    if (snapIndex >= index) throw ErrSnapOutOfDate
    this.snap = s
    this.ents = [{ index, term: s.metadata?.term ?? 0 }]
  }

  /**
   * Makes a snapshot at index i (<= lastIndex) holding data, for the application to
   * serve to followers that need compacted entries. Throws ErrSnapOutOfDate if i is
   * not past the current snapshot.
   */
  createSnapshot(i: number, cs: ConfState | undefined, data: Uint8Array): Snapshot {
    if (i <= (this.snap.metadata?.index ?? 0)) throw ErrSnapOutOfDate
    const offset = this.offset()
    if (i > this.lastIndex()) throw new OutOfBoundError(`snapshot ${i} is out of bound lastindex(${this.lastIndex()})`)
    const metadata: Snapshot['metadata'] = { index: i, term: trm(this.ents[i - offset]!), confState: cs ?? this.snap.metadata?.confState ?? { nodes: [] } }
    this.snap = { data, metadata }
    return this.snap
  }

  /** Discards entries before compactIndex. Throws ErrCompacted if already compacted. */
  compact(compactIndex: number): void {
    const offset = this.offset()
    if (compactIndex <= offset) throw ErrCompacted
    if (compactIndex > this.lastIndex()) throw new OutOfBoundError(`compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`)
    const i = compactIndex - offset
    const first = this.ents[i]!
    this.ents = [{ index: idx(first), term: trm(first) }, ...this.ents.slice(i + 1)]
  }

  /** Appends entries, replacing any conflicting suffix. Entries must be contiguous. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return
    const first = this.firstIndex()
    const last = idx(entries[0]!) + entries.length - 1
    if (last < first) return // all already compacted
    if (first > idx(entries[0]!)) entries = entries.slice(first - idx(entries[0]!))
    const offset = idx(entries[0]!) - this.offset()
    if (offset > this.ents.length) {
      throw new OutOfBoundError(`missing log entry [last: ${this.lastIndex()}, append at: ${idx(entries[0]!)}]`)
    }
    if (offset === this.ents.length) {
      for (const e of entries) this.ents.push(e)
    } else {
      this.ents = this.ents.slice(0, offset).concat(entries)
    }
  }
}

/** A MemoryStorage holding exactly ents; ents[0] acts as the dummy entry. */
export function newMemoryStorageWithEnts(ents: Entry[]): MemoryStorage {
  const s = new MemoryStorage()
  s.ents = ents.slice()
  const first = ents[0] ?? { index: 0, term: 0 }
  s.snap = { metadata: { index: idx(first), term: trm(first), confState: { nodes: [] } } }
  return s
}
