// Applying a received snapshot: the received directory is a whole database holding the
// *sender's* raft log and raft state. prepareReceivedDb() makes it this node's: in the
// copy, the log is dropped and, in one synced batch, this node's own RaftLocalState
// (term and vote from the Ready; taking the sender's could undo a vote given in this
// term), the apply state (applied = truncated = snapshot index) and the region are
// written. Then the directories are swapped:
//
//   db -> db.old, recv/db -> db, fsync the data dir, (reopen), remove db.old
//
// recoverDbSwap() runs before the engine opens: with db.old and no db, the swap stopped
// between the renames and db.old goes back (the state before the snapshot, whose Ready
// was never acknowledged: the leader sends it again); with both, the swap was done and
// db.old goes.
import { access, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { WriteBatch, type EngineOptions } from './engine.js'
import { StorageError } from './errors.js'
import { allRaftLogRange, applyStateKey, raftStateKey, regionStateKey } from './keys.js'
import { encodeRaftApplyState, encodeRaftLocalState, encodeRegionLocalState, PeerState, type RaftLocalState, type RegionInfo } from './local-state.js'
import { openCheckedCopy } from './snapshot-copy.js'
import { fsyncDir, removeDir } from './snapshot-files.js'

export const DB_NAME = 'db'
export const OLD_DB_NAME = 'db.old'

/** The steps of a swap, as events name them (a crash test stops at each). */
export type SwapStep = 'prepared' | 'old-moved' | 'new-moved' | 'reopened'

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false)

/**
 * Run on a received copy before raft hears of it (so that a copy that would fail its
 * apply is refused like a bad chunk): it must open, and hold the region at the index.
 */
export async function verifyReceivedDb(dbDir: string, regionId: number, index: number, engine: EngineOptions): Promise<void> {
  await (await openCheckedCopy(dbDir, regionId, index, engine)).close()
}

/** Makes the received copy this node's state at the snapshot; returns RocksDB's estimate of its keys. */
export async function prepareReceivedDb(
  dbDir: string, regionId: number, raft: RaftLocalState, region: RegionInfo, engine: EngineOptions,
): Promise<number> {
  const copy = await openCheckedCopy(dbDir, regionId, raft.lastIndex, engine)
  try {
    const log = allRaftLogRange(regionId)
    await copy.deleteRange(log.start, log.end)
    // Synced after the range delete, so the WAL holds both.
    copy.write(new WriteBatch()
      .put(raftStateKey(regionId), encodeRaftLocalState(raft))
      .put(applyStateKey(regionId), encodeRaftApplyState({ appliedIndex: raft.lastIndex, truncatedIndex: raft.lastIndex, truncatedTerm: raft.lastTerm }))
      .put(regionStateKey(regionId), encodeRegionLocalState({ state: PeerState.Normal, region })), { sync: true })
    return copy.estimateKeys()
  } finally {
    await copy.close()
  }
}

/**
 * Swaps the prepared copy in for the (closed) database of `dataDir`; `onStep` hears each
 * step as it is done. On a failure before the new database is in place, the old one is put back before the error is thrown.
 */
export async function swapInDb(dataDir: string, preparedDir: string, onStep: (s: SwapStep) => void = () => {}): Promise<void> {
  const db = join(dataDir, DB_NAME)
  const old = join(dataDir, OLD_DB_NAME)
  let swapped = false
  try {
    await removeDir(old)
    await rename(db, old)
    onStep('old-moved')
    await rename(preparedDir, db)
    swapped = true
    await fsyncDir(dataDir)
    onStep('new-moved')
  } catch (e) {
    // Before the second rename, the old database goes back; after it, the new one stays
    // (recoverDbSwap finishes that at the next open).
    if (!swapped) await recoverDbSwap(dataDir)
    throw new StorageError('StorageCorrupted', `cannot swap the snapshot's database in: ${(e as Error).message}`, { cause: e })
  }
}

/** Finishes or undoes a swap that a crash (or failure) interrupted; see the top of this file. */
export async function recoverDbSwap(dataDir: string): Promise<'none' | 'undone' | 'finished'> {
  const db = join(dataDir, DB_NAME)
  const old = join(dataDir, OLD_DB_NAME)
  if (!(await exists(old))) return 'none'
  if (await exists(db)) {
    await removeDir(old)
    return 'finished'
  }
  await rename(old, db)
  await fsyncDir(dataDir)
  return 'undone'
}
