// raftkv/storage: the node's RocksDB storage (engine, key layout, PeerStorage, snapshots).
export { Engine, EngineIterator, WriteBatch, type EngineOptions } from './engine.js'
export { StorageError, isStorageError, type StorageErrorCode } from './errors.js'
export type { StorageEvent, StorageEventListener } from './events.js'
export * as keys from './keys.js'
export { REGION_ID } from './keys.js'
export {
  PeerState, regionNodeIds,
  type HardStateValue, type PeerInfo, type RaftApplyState, type RaftLocalState, type RegionInfo, type RegionLocalState,
} from './local-state.js'
export { EntryCache } from './entry-cache.js'
export { ApplyBatch } from './apply-batch.js'
export { PeerStorage, type KvEntry, type PeerStorageOptions, type ReadyState } from './peer-storage.js'
export {
  SNAPSHOT_CHUNK_BYTES, ChunkBuilder, decodeChunk, decodeSnapshotData, encodeChunk, encodeSnapshotData,
  type KvPair, type SnapshotDescriptor,
} from './snapshot-chunk.js'
export { SnapshotSource, generateSnapshot, openSnapshotSource, type SnapshotChunk, type SnapshotPoint } from './snapshot-generator.js'
export { SnapshotWriter } from './snapshot-writer.js'
export { GeneratedSnapshot, SnapshotStore, type SnapshotFiles, type SnapshotReader } from './snapshot-store.js'
