// The snapshot chunk format (raft_serverpb.SnapshotChunk): user key/value pairs in key
// order, about SNAPSHOT_CHUNK_BYTES per chunk; and the snapshot descriptor
// (raft_serverpb.RaftSnapshotData) that eraftpb.Snapshot.data carries.
import { crc32 } from 'node:zlib'
import { raft_serverpb } from '../../proto/generated/protos.js'
import { StorageError } from './errors.js'
import { regionFromProto, regionToProto, type RegionInfo } from './local-state.js'

/** Target size of one encoded chunk. */
export const SNAPSHOT_CHUNK_BYTES = 1 << 20

export interface KvPair {
  key: Buffer
  value: Buffer
}

export function encodeChunk(pairs: readonly KvPair[]): Buffer {
  const b = raft_serverpb.SnapshotChunk.encode({ pairs: pairs as KvPair[] }).finish()
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

/** Decodes a chunk; throws SnapshotCorrupted when it is not a well-formed chunk. */
export function decodeChunk(bytes: Uint8Array): KvPair[] {
  let m: raft_serverpb.SnapshotChunk
  try {
    m = raft_serverpb.SnapshotChunk.decode(bytes)
  } catch (e) {
    throw new StorageError('SnapshotCorrupted', 'snapshot chunk does not decode', { cause: e })
  }
  return m.pairs.map((p) => ({ key: asBuffer(p.key), value: asBuffer(p.value) }))
}

const asBuffer = (b: Uint8Array | null | undefined): Buffer =>
  b ? (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)) : Buffer.alloc(0)

/** Groups pairs into chunks of about `targetBytes` encoded bytes. */
export class ChunkBuilder {
  private pairs: KvPair[] = []
  private bytes = 0
  constructor(private readonly targetBytes = SNAPSHOT_CHUNK_BYTES) {}

  /** Adds a pair; returns a finished chunk once the target size is reached. */
  add(key: Buffer, value: Buffer): Buffer | undefined {
    this.pairs.push({ key, value })
    // Field tags and length varints: at most ~12 bytes per pair beyond key and value.
    this.bytes += key.byteLength + value.byteLength + 12
    return this.bytes >= this.targetBytes ? this.flush() : undefined
  }

  /** The pending pairs as a chunk, or undefined when there are none. */
  flush(): Buffer | undefined {
    if (this.pairs.length === 0) return undefined
    const chunk = encodeChunk(this.pairs)
    this.pairs = []
    this.bytes = 0
    return chunk
  }
}

/** Running totals over a snapshot's chunks: what RaftSnapshotData records. */
export class ChunkTally {
  dataSize = 0
  kvCount = 0
  chunkCount = 0
  checksum = 0

  add(chunk: Uint8Array, pairs: number): void {
    this.dataSize += chunk.byteLength
    this.kvCount += pairs
    this.chunkCount += 1
    this.checksum = crc32(chunk, this.checksum)
  }
}

/** RaftSnapshotData, fully populated. */
export interface SnapshotDescriptor {
  readonly region: RegionInfo
  readonly dataSize: number
  readonly kvCount: number
  readonly chunkCount: number
  /** CRC-32 of the chunks, in order. */
  readonly checksum: number
  readonly snapshotId: string
}

export function encodeSnapshotData(d: SnapshotDescriptor): Uint8Array {
  return raft_serverpb.RaftSnapshotData.encode({
    region: regionToProto(d.region),
    dataSize: d.dataSize,
    kvCount: d.kvCount,
    chunkCount: d.chunkCount,
    checksum: d.checksum,
    snapshotId: d.snapshotId,
  }).finish()
}

export function decodeSnapshotData(b: Uint8Array | null | undefined): SnapshotDescriptor {
  let m: raft_serverpb.RaftSnapshotData
  try {
    m = raft_serverpb.RaftSnapshotData.decode(b ?? new Uint8Array(0))
  } catch (e) {
    throw new StorageError('SnapshotCorrupted', 'snapshot data does not decode', { cause: e })
  }
  return {
    region: regionFromProto(m.region),
    dataSize: m.dataSize ?? 0,
    kvCount: m.kvCount ?? 0,
    chunkCount: m.chunkCount ?? 0,
    checksum: m.checksum ?? 0,
    snapshotId: m.snapshotId ?? '',
  }
}
