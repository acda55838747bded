// raftkv/storage: the node's RocksDB storage. What the server needs, and no more:
// PeerStorage (raft's Storage on RocksDB: log, states, apply, snapshots), its events and
// errors, the region types, RocksDB's sizing options and memory figures, and the
// snapshot descriptor codec (eraftpb.Snapshot.data).
// Everything else (engine, key layout, chunk files, GC) stays inside the package.
export { PeerStorage, type KvEntry, type PeerStorageOptions, type ReadyState } from './peer-storage.js'
export { ENGINE_DEFAULTS, type EngineMemory, type EngineOptions } from './engine.js'
export { ENTRY_CACHE_BYTES } from './entry-cache.js'
export { StorageError, isStorageError, type StorageErrorCode } from './errors.js'
export type { StorageEvent, StorageEventListener } from './events.js'
export { REGION_ID } from './keys.js'
export { PeerState, type PeerInfo, type RegionInfo, type RaftApplyState, type RegionLocalState } from './local-state.js'
export type { ApplyBatch } from './apply-batch.js'
export type { SnapshotWriter } from './snapshot-writer.js'
export type { SnapshotFiles, SnapshotReader } from './snapshot-store.js'
// The descriptor raft's MsgSnapshot carries (tests forge one with encodeSnapshotData).
export { decodeSnapshotData, encodeSnapshotData, SNAPSHOT_FORMAT_VERSION, type SnapshotDescriptor, type SnapshotFileEntry } from './snapshot-descriptor.js'
