// A database copy (a snapshot's db/ directory) opened and checked: it must open, and hold
// the region at the snapshot's index in the Normal state. Used on both ends: the sender
// checks its fresh copy, the receiver the copy it received and then the one it applies.
import { Engine, type EngineOptions } from './engine.js'
import { StorageError } from './errors.js'
import { applyStateKey, regionStateKey } from './keys.js'
import { decodeRaftApplyState, decodeRegionLocalState, PeerState } from './local-state.js'

/** Opens the copy at `dbDir` and checks it holds region `regionId` at applied index `index`; the caller closes it. */
export async function openCheckedCopy(dbDir: string, regionId: number, index: number, engine: EngineOptions): Promise<Engine> {
  let copy
  try {
    copy = await Engine.open(dbDir, engine)
  } catch (e) {
    throw new StorageError('SnapshotCorrupted', `the snapshot in ${dbDir} does not open as a database: ${(e as Error).message}`, { cause: e })
  }
  try {
    const applyBytes = copy.get(applyStateKey(regionId))
    const regionBytes = copy.get(regionStateKey(regionId))
    if (!applyBytes || !regionBytes) throw new StorageError('SnapshotCorrupted', `the snapshot in ${dbDir} holds no state of region ${regionId}`)
    const applied = decodeRaftApplyState(applyBytes).appliedIndex
    if (applied !== index) throw new StorageError('SnapshotCorrupted', `the snapshot in ${dbDir} is at applied index ${applied}, not ${index}`)
    if (decodeRegionLocalState(regionBytes).state !== PeerState.Normal) throw new StorageError('SnapshotCorrupted', `the snapshot in ${dbDir} is not of a normal region`)
    return copy
  } catch (e) {
    await copy.close()
    throw e
  }
}
