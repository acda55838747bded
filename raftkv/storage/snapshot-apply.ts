// The data half of applying a received snapshot: drop the region's raft log and all
// user data (two DeleteRanges), then write the snapshot's pairs chunk by chunk,
// yielding to the event loop between chunks. Crash safety comes from the caller:
// PeerStorage writes RegionLocalState=Applying (with the new raft and apply states)
// before this runs and Normal after, and reruns this at open while it reads Applying.
import { crc32 } from 'node:zlib'
import { WriteBatch, type Engine } from './engine.js'
import { StorageError } from './errors.js'
import { allRaftLogRange, DATA_RANGE, dataKey } from './keys.js'
import { decodeChunk } from './snapshot-chunk.js'
import type { SnapshotFiles } from './snapshot-store.js'

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export interface ReplaceProgress {
  chunks: number
  bytes: number
  pairs: number
}

export async function replaceDataWithSnapshot(
  engine: Engine, regionId: number, files: SnapshotFiles,
  shouldStop: () => boolean, onChunk: (p: ReplaceProgress) => void = () => {},
): Promise<ReplaceProgress> {
  const log = allRaftLogRange(regionId)
  await engine.deleteRange(log.start, log.end)
  await engine.deleteRange(DATA_RANGE.start, DATA_RANGE.end)
  const p: ReplaceProgress = { chunks: 0, bytes: 0, pairs: 0 }
  let checksum = 0
  // files.chunks() reads the next chunk file (on the thread pool) while this one is written.
  for await (const chunk of files.chunks()) {
    if (shouldStop()) throw new StorageError('StorageClosed', 'snapshot apply interrupted by close')
    checksum = crc32(chunk, checksum)
    const batch = new WriteBatch()
    const pairs = decodeChunk(chunk)
    for (const kv of pairs) batch.put(dataKey(kv.key), kv.value)
    engine.write(batch, { sync: false })
    p.chunks++
    p.bytes += chunk.byteLength
    p.pairs += pairs.length
    onChunk(p)
    await yieldToEventLoop()
  }
  const d = files.descriptor
  if (p.chunks !== d.chunkCount || p.bytes !== d.dataSize || p.pairs !== d.kvCount || checksum !== d.checksum) {
    throw new StorageError('SnapshotCorrupted', `snapshot files in ${files.dir} do not match their descriptor`)
  }
  return p
}
