// Snapshot generation: a copy of the node's RocksDB directory at its applied index.
//
// copyWhileClosed() is the pause: with the engine closed between two Readys (so the
// applied index, term and region in memory are exactly what the directory holds), the
// tables are hard-linked and the few other files copied, and the engine reopened.
// finishGenerated() then runs in the background: it opens the copy once (RocksDB
// replays the copied WAL into a table and drops files a compaction had made obsolete),
// checks that it is at the snapshot's index, lists its files with their CRC-32s, and
// registers the snapshot.
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Snapshot } from '../raft/index.js'
import type { Engine, EngineOptions } from './engine.js'
import { StorageError } from './errors.js'
import { regionNodeIds, type RegionInfo } from './local-state.js'
import { openCheckedCopy } from './snapshot-copy.js'
import { chunksOf, encodeSnapshotData, type SnapshotDescriptor } from './snapshot-descriptor.js'
import { copyClosedDb, DB_DIR, encodeSnapshotMeta, listDbFiles, META_FILE, removeDir, writeFileDurable } from './snapshot-files.js'
import type { GeneratedSnapshot, SnapshotStore } from './snapshot-store.js'

/** What the snapshot stands for: the state machine after applying entry `index`. */
export interface SnapshotPoint {
  index: number
  term: number
  region: RegionInfo
}

/** The steps of the pause, as events name them (a crash test stops at each). */
export type GenerateStep = 'closed' | 'copied'

/**
 * Closes the engine, copies its directory into `tmpDir`/db, and reopens it. Resolves with
 * the copy's failure, if any (the engine is open again); rejects only when the engine
 * could not be reopened.
 */
export async function copyWhileClosed(
  engine: Engine, tmpDir: string, onStep: (s: GenerateStep) => void = () => {},
): Promise<{ copyError?: Error; closeMs: number; copyMs: number; reopenMs: number }> {
  const t0 = performance.now()
  await engine.close()
  onStep('closed')
  const t1 = performance.now()
  let copyError: Error | undefined
  try {
    await copyClosedDb(engine.path, join(tmpDir, DB_DIR))
    onStep('copied')
  } catch (e) {
    copyError = e as Error
  }
  const t2 = performance.now()
  await engine.reopen()
  const t3 = performance.now()
  return { ...(copyError ? { copyError } : {}), closeMs: t1 - t0, copyMs: t2 - t1, reopenMs: t3 - t2 }
}

/**
 * Turns a copy made by copyWhileClosed into a registered snapshot, with the time spent
 * opening and checking the copy and listing its files (CRC-32s). Removes `tmpDir` on failure.
 */
export async function finishGenerated(
  store: SnapshotStore, tmpDir: string, point: SnapshotPoint, regionId: number,
  opts: { chunkBytes: number; engine: EngineOptions; signal?: AbortSignal },
): Promise<{ snapshot: GeneratedSnapshot; checkMs: number; listMs: number }> {
  const cancelled = (): void => {
    if (opts.signal?.aborted) throw new StorageError('StorageClosed', 'snapshot generation cancelled')
  }
  try {
    const dbDir = join(tmpDir, DB_DIR)
    const t0 = performance.now()
    const copy = await openCheckedCopy(dbDir, regionId, point.index, opts.engine)
    let kvCount
    try {
      kvCount = copy.estimateKeys()
    } finally {
      await copy.close()
    }
    cancelled()
    const t1 = performance.now()
    const files = await listDbFiles(dbDir)
    const t2 = performance.now()
    cancelled()
    const descriptor: SnapshotDescriptor = {
      region: point.region,
      files,
      dataSize: files.reduce((n, f) => n + f.size, 0),
      kvCount,
      chunkCount: files.reduce((n, f) => n + chunksOf(f.size, opts.chunkBytes), 0),
      snapshotId: `${point.index}-${point.term}-${randomUUID().slice(0, 8)}`,
    }
    const snapshot: Snapshot = {
      data: encodeSnapshotData(descriptor),
      metadata: { index: point.index, term: point.term, confState: { nodes: regionNodeIds(point.region) } },
    }
    // Generated snapshots do not survive a restart: no fsync needed.
    await writeFileDurable(join(tmpDir, META_FILE), encodeSnapshotMeta(snapshot), false)
    cancelled()
    return { snapshot: await store.addGenerated(tmpDir, snapshot, descriptor, opts.chunkBytes), checkMs: t1 - t0, listMs: t2 - t1 }
  } catch (e) {
    await removeDir(tmpDir)
    throw e
  }
}
