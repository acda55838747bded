// The stable raft log (truncatedIndex, lastIndex] as raft's synchronous Storage reads it:
// the newest entries, up to a byte budget, held in memory; older ones read back from
// RocksDB on demand through `load` (synchronous: the binding's range read runs on the JS
// thread). The size of every entry is kept (one number each), so the log's byte size, which
// log GC's size limit is about, is known whether or not its entries are held.
import type { Entry } from '../raft/index.js'
import { StorageError } from './errors.js'

const indexOf = (e: Entry): number => e.index ?? 0
/** Entry data plus a fixed overhead per entry (raft's own size measure). */
export const entrySize = (e: Entry): number => (e.data?.byteLength ?? 0) + 24

/** Reads entries [lo, hi) of the stable log from disk; throws StorageCorrupted for a gap. */
export type EntryLoader = (lo: number, hi: number) => Entry[]

/** Default byte budget of the entries held in memory. */
export const ENTRY_CACHE_BYTES = 4 << 20

export class EntryCache {
  /** Log first index: sizes[i] is the size of entry first + i (invariant). */
  private first: number
  private sizes: number[] = []
  private logBytes = 0
  /** held[i] has index heldFirst + i; the held entries are a suffix of the log. */
  private held: Entry[] = []
  private heldFirst: number
  private heldBytes = 0

  /** An empty log whose next entry will have index `firstIndex`. */
  constructor(firstIndex: number, private readonly maxBytes = ENTRY_CACHE_BYTES, private readonly load: EntryLoader = noLoader) {
    this.first = firstIndex
    this.heldFirst = firstIndex
  }

  get firstIndex(): number {
    return this.first
  }

  /** firstIndex - 1 when empty. */
  get lastIndex(): number {
    return this.first + this.sizes.length - 1
  }

  get length(): number {
    return this.sizes.length
  }

  /** Approximate bytes of the whole log (held or not). */
  get byteSize(): number {
    return this.logBytes
  }

  /** Approximate bytes of the entries held in memory (at most the budget). */
  get heldByteSize(): number {
    return this.heldBytes
  }

  /** Entries held in memory. */
  get heldCount(): number {
    return this.held.length
  }

  get budgetBytes(): number {
    return this.maxBytes
  }

  /** Entry `index`, from memory or disk; undefined outside [firstIndex, lastIndex]. */
  get(index: number): Entry | undefined {
    if (index < this.first || index > this.lastIndex) return undefined
    if (index >= this.heldFirst) return this.held[index - this.heldFirst]
    return this.load(index, index + 1)[0]
  }

  /** Entries [lo, hi); the caller checks that they lie within the log. */
  slice(lo: number, hi: number): Entry[] {
    if (lo >= hi) return []
    if (lo >= this.heldFirst) return this.held.slice(lo - this.heldFirst, hi - this.heldFirst)
    const fromDisk = this.load(lo, Math.min(hi, this.heldFirst))
    if (hi <= this.heldFirst) return fromDisk
    return fromDisk.concat(this.held.slice(0, hi - this.heldFirst))
  }

  /**
   * Appends contiguous entries, first dropping any entry at or past the first new index
   * (a conflicting suffix). The first new index must be in [firstIndex, lastIndex+1].
   * Then the oldest held entries go until the held ones fit the budget.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return
    const start = indexOf(entries[0]!)
    if (start < this.first || start > this.lastIndex + 1) {
      throw new StorageError('StorageBadArgument', `append at ${start} leaves a gap in log (${this.first - 1}, ${this.lastIndex}]`)
    }
    for (let i = 1; i < entries.length; i++) {
      if (indexOf(entries[i]!) !== start + i) throw new StorageError('StorageBadArgument', `entries not contiguous at ${start + i}`)
    }
    this.truncateFrom(start)
    if (this.held.length === 0) this.heldFirst = start
    for (const e of entries) {
      const size = entrySize(e)
      this.sizes.push(size)
      this.logBytes += size
      this.held.push(e)
      this.heldBytes += size
    }
    this.evict()
  }

  /** Drops every entry with index < `index` (the new first index). */
  compactTo(index: number): void {
    if (index <= this.first) return
    const n = Math.min(index - this.first, this.sizes.length)
    for (let i = 0; i < n; i++) this.logBytes -= this.sizes[i]!
    this.sizes = this.sizes.slice(n)
    this.first = index
    if (index > this.heldFirst) {
      const h = Math.min(index - this.heldFirst, this.held.length)
      for (let i = 0; i < h; i++) this.heldBytes -= entrySize(this.held[i]!)
      this.held = this.held.slice(h)
      this.heldFirst = index
    }
  }

  /** Empties the log; the next entry will have index `firstIndex`. */
  reset(firstIndex: number): void {
    this.first = firstIndex
    this.sizes = []
    this.logBytes = 0
    this.held = []
    this.heldFirst = firstIndex
    this.heldBytes = 0
  }

  /** Drops entries >= index from the log (and from memory). */
  private truncateFrom(index: number): void {
    const keep = index - this.first
    for (let i = keep; i < this.sizes.length; i++) this.logBytes -= this.sizes[i]!
    this.sizes.length = keep
    if (index <= this.heldFirst) {
      this.held = []
      this.heldBytes = 0
      return
    }
    const keepHeld = index - this.heldFirst
    for (let i = keepHeld; i < this.held.length; i++) this.heldBytes -= entrySize(this.held[i]!)
    this.held.length = Math.min(keepHeld, this.held.length)
  }

  /**
   * Once the held bytes are over the budget, the oldest held entries go until they are
   * down to three quarters of it (so that the array is not copied on every append).
   */
  private evict(): void {
    if (this.heldBytes <= this.maxBytes) return
    const target = Math.floor(this.maxBytes * 0.75)
    let n = 0
    while (n < this.held.length && this.heldBytes > target) this.heldBytes -= entrySize(this.held[n++]!)
    this.held = this.held.slice(n)
    this.heldFirst += n
  }
}

function noLoader(lo: number): Entry[] {
  throw new StorageError('StorageCorrupted', `entry ${lo} is not held in memory and no loader is set`)
}
