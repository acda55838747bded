// The in-memory copy of the stable raft log: entries (truncatedIndex, lastIndex],
// so that raft's synchronous Storage reads never touch RocksDB. Log GC trims its front.
import type { Entry } from '../raft/index.js'
import { StorageError } from './errors.js'

const indexOf = (e: Entry): number => e.index ?? 0
const sizeOf = (e: Entry): number => (e.data?.byteLength ?? 0) + 24

export class EntryCache {
  /** ents[i] has index first + i (invariant). */
  private ents: Entry[] = []
  private first: number
  private bytes = 0

  /** An empty cache whose next entry will have index `firstIndex`. */
  constructor(firstIndex: number) {
    this.first = firstIndex
  }

  get firstIndex(): number {
    return this.first
  }

  /** firstIndex - 1 when empty. */
  get lastIndex(): number {
    return this.first + this.ents.length - 1
  }

  get length(): number {
    return this.ents.length
  }

  /** Approximate bytes held (entry data plus a fixed overhead per entry). */
  get byteSize(): number {
    return this.bytes
  }

  get(index: number): Entry | undefined {
    return this.ents[index - this.first]
  }

  /** Entries [lo, hi); the caller checks the bounds. */
  slice(lo: number, hi: number): Entry[] {
    return this.ents.slice(lo - this.first, hi - this.first)
  }

  /**
   * Appends contiguous entries, first dropping any held entry at or past the first new
   * index (a conflicting suffix). The first new index must be in [firstIndex, lastIndex+1].
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
    const keep = start - this.first
    for (let i = keep; i < this.ents.length; i++) this.bytes -= sizeOf(this.ents[i]!)
    this.ents.length = keep
    for (const e of entries) {
      this.ents.push(e)
      this.bytes += sizeOf(e)
    }
  }

  /** Drops every entry with index < `index` (the new first index). */
  compactTo(index: number): void {
    if (index <= this.first) return
    const n = Math.min(index - this.first, this.ents.length)
    for (let i = 0; i < n; i++) this.bytes -= sizeOf(this.ents[i]!)
    this.ents = this.ents.slice(n)
    this.first = index
  }

  /** Empties the cache; the next entry will have index `firstIndex`. */
  reset(firstIndex: number): void {
    this.ents = []
    this.first = firstIndex
    this.bytes = 0
  }
}
