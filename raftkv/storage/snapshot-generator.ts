// Snapshot generation: a point-in-time view of the user data, cut into chunks.
//
// openSnapshotSource() must be called in the same synchronous step that reads the
// applied index, term and region: the RocksDB iterator it creates fixes the view at
// that instant, and all writes happen on the JS thread, so nothing can slip between.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Snapshot } from '../raft/index.js'
import type { Engine, EngineIterator } from './engine.js'
import { StorageError } from './errors.js'
import { DATA_RANGE, decodeDataKey } from './keys.js'
import { regionNodeIds, type RegionInfo } from './local-state.js'
import { ChunkBuilder, ChunkTally, encodeSnapshotData, SNAPSHOT_CHUNK_BYTES, type SnapshotDescriptor } from './snapshot-chunk.js'
import { chunkFileName, encodeSnapshotMeta, META_FILE, removeDir, writeFileDurable } from './snapshot-files.js'
import type { GeneratedSnapshot, SnapshotStore } from './snapshot-store.js'

export interface SnapshotChunk {
  /** Encoded raft_serverpb.SnapshotChunk. */
  bytes: Buffer
  /** Pairs in it. */
  pairs: number
}

/** What the snapshot stands for: the state machine after applying entry `index`. */
export interface SnapshotPoint {
  index: number
  term: number
  region: RegionInfo
}

/**
 * The user data as of this call, as an async iterable of chunks of about `chunkBytes`.
 * Each step reads the next batch from RocksDB on the thread pool, so the event loop
 * runs between chunks. Iterate it once; close() releases the view early.
 */
export class SnapshotSource implements AsyncIterable<SnapshotChunk> {
  private readonly it: EngineIterator
  private used = false

  constructor(engine: Engine, private readonly chunkBytes = SNAPSHOT_CHUNK_BYTES) {
    this.it = engine.iterate(DATA_RANGE.start, DATA_RANGE.end, chunkBytes)
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SnapshotChunk> {
    if (this.used) throw new StorageError('StorageBadArgument', 'a snapshot source can be iterated once')
    this.used = true
    const builder = new ChunkBuilder(this.chunkBytes)
    let pending = 0
    // The next batch is read (on the thread pool) while this one is encoded and consumed.
    let ahead = this.it.next(10_000)
    try {
      for (;;) {
        const rows = await ahead
        if (rows.length === 0) break
        ahead = this.it.next(10_000)
        for (const [k, v] of rows) {
          pending++
          const bytes = builder.add(decodeDataKey(k), v)
          if (bytes) {
            yield { bytes, pairs: pending }
            pending = 0
          }
        }
      }
      const last = builder.flush()
      if (last) yield { bytes: last, pairs: pending }
    } finally {
      await ahead.catch(() => [])
      await this.it.close()
    }
  }

  close(): Promise<void> {
    return this.it.close()
  }
}

export const openSnapshotSource = (engine: Engine, chunkBytes = SNAPSHOT_CHUNK_BYTES): SnapshotSource =>
  new SnapshotSource(engine, chunkBytes)

/**
 * Writes the source's chunks to a new snapshot directory of the store and registers it.
 * Aborting the signal stops at the next chunk (the partial directory is removed).
 */
export async function generateSnapshot(
  store: SnapshotStore, source: SnapshotSource, point: SnapshotPoint, signal?: AbortSignal,
): Promise<GeneratedSnapshot> {
  const tmp = store.tempDir()
  const tally = new ChunkTally()
  try {
    await mkdir(tmp, { recursive: true })
    // One file write in flight while the next chunk is read and encoded.
    let writing: Promise<void> = Promise.resolve()
    try {
      for await (const chunk of source) {
        if (signal?.aborted) throw new StorageError('StorageClosed', 'snapshot generation cancelled')
        await writing
        // Generated snapshots do not survive a restart: no fsync needed.
        writing = writeFileDurable(join(tmp, chunkFileName(tally.chunkCount)), chunk.bytes, false)
        tally.add(chunk.bytes, chunk.pairs)
      }
    } finally {
      await writing.catch(() => {})
    }
    await writing
    if (signal?.aborted) throw new StorageError('StorageClosed', 'snapshot generation cancelled')
    const descriptor: SnapshotDescriptor = {
      region: point.region,
      dataSize: tally.dataSize,
      kvCount: tally.kvCount,
      chunkCount: tally.chunkCount,
      checksum: tally.checksum,
      snapshotId: `${point.index}-${point.term}-${randomUUID().slice(0, 8)}`,
    }
    const snapshot: Snapshot = {
      data: encodeSnapshotData(descriptor),
      metadata: { index: point.index, term: point.term, confState: { nodes: regionNodeIds(point.region) } },
    }
    await writeFileDurable(join(tmp, META_FILE), encodeSnapshotMeta(snapshot), false)
    return await store.addGenerated(tmp, snapshot, descriptor)
  } catch (e) {
    await source.close()
    await removeDir(tmp)
    throw e
  }
}
