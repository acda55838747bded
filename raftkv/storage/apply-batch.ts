// What applying a run of committed entries changes, collected for one atomic write
// (PeerStorage.commitApply): user data puts/deletes, and from admin commands a new
// region (conf change) or a log truncation (CompactLog).
import { WriteBatch } from './engine.js'
import { dataKey } from './keys.js'
import { PeerState, type RegionInfo, type RegionLocalState } from './local-state.js'

export class ApplyBatch {
  /** @internal */
  readonly writes = new WriteBatch()
  /** @internal */
  regionState: RegionLocalState | undefined
  /** @internal */
  compact: { index: number; term: number } | undefined

  put(key: Uint8Array, value: Uint8Array): this {
    this.writes.put(dataKey(key), value)
    return this
  }

  delete(key: Uint8Array): this {
    this.writes.delete(dataKey(key))
    return this
  }

  /** A conf change: the region (membership, epoch) after it. */
  setRegion(region: RegionInfo, state: PeerState = PeerState.Normal): this {
    this.regionState = { state, region }
    return this
  }

  /** A CompactLog command: the log up to and including `index` (of term `term`) goes. */
  compactLog(index: number, term: number): this {
    if (!this.compact || index > this.compact.index) this.compact = { index, term }
    return this
  }

  /** Number of user data operations. */
  get count(): number {
    return this.writes.count
  }

  /** Bytes of user keys and values (a hint for splitting large applies). */
  get byteSize(): number {
    return this.writes.byteSize
  }
}
