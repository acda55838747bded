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

// Chunks are the bulk of a snapshot (a million pairs for 1 GiB of 1 KiB values), so they
// are encoded and decoded here by hand, in the SnapshotChunk wire format: each pair is
// field 1 (length-delimited) holding key as field 1 and value as field 2. The decoder
// returns views into the chunk (no copies); anything but that plain shape (unknown or
// repeated fields, other wire types) goes through protobufjs, so every valid encoding
// decodes the same way.

const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5)

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  buf[pos++] = n
  return pos
}

export function encodeChunk(pairs: readonly KvPair[]): Buffer {
  let total = 0
  for (const p of pairs) {
    const inner = 2 + varintSize(p.key.byteLength) + p.key.byteLength + varintSize(p.value.byteLength) + p.value.byteLength
    total += 1 + varintSize(inner) + inner
  }
  const buf = Buffer.allocUnsafe(total)
  let pos = 0
  for (const p of pairs) {
    const inner = 2 + varintSize(p.key.byteLength) + p.key.byteLength + varintSize(p.value.byteLength) + p.value.byteLength
    buf[pos++] = 0x0a
    pos = writeVarint(buf, pos, inner)
    buf[pos++] = 0x0a
    pos = writeVarint(buf, pos, p.key.byteLength)
    buf.set(p.key, pos)
    pos += p.key.byteLength
    buf[pos++] = 0x12
    pos = writeVarint(buf, pos, p.value.byteLength)
    buf.set(p.value, pos)
    pos += p.value.byteLength
  }
  return buf
}

/** Not the plain shape the fast decoder reads: let protobufjs decide. */
const NOT_PLAIN = Symbol('not plain')

/** Decodes a chunk; throws SnapshotCorrupted when it is not a well-formed chunk. */
export function decodeChunk(bytes: Uint8Array): KvPair[] {
  const buf = asBuffer(bytes)
  const fast = decodePlainChunk(buf)
  if (fast !== NOT_PLAIN) return fast
  let m: raft_serverpb.SnapshotChunk
  try {
    m = raft_serverpb.SnapshotChunk.decode(bytes)
  } catch (e) {
    throw new StorageError('SnapshotCorrupted', 'snapshot chunk does not decode', { cause: e })
  }
  return m.pairs.map((p) => ({ key: asBuffer(p.key), value: asBuffer(p.value) }))
}

function decodePlainChunk(buf: Buffer): KvPair[] | typeof NOT_PLAIN {
  const pairs: KvPair[] = []
  const end = buf.byteLength
  let pos = 0
  // Reads a length varint at pos (at most 5 bytes, below 2^32); -1 when malformed.
  const varint = (): number => {
    let n = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) return -1
      const b = buf[pos++]!
      n += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return n
    }
    return -1
  }
  while (pos < end) {
    if (buf[pos++] !== 0x0a) return NOT_PLAIN
    const len = varint()
    if (len < 0 || pos + len > end) return NOT_PLAIN
    const stop = pos + len
    if (buf[pos++] !== 0x0a) return NOT_PLAIN
    const kl = varint()
    if (kl < 0 || pos + kl > stop) return NOT_PLAIN
    const key = buf.subarray(pos, pos + kl)
    pos += kl
    if (pos >= stop || buf[pos++] !== 0x12) return NOT_PLAIN
    const vl = varint()
    if (vl < 0 || pos + vl !== stop) return NOT_PLAIN
    const value = buf.subarray(pos, stop)
    pos = stop
    pairs.push({ key, value })
  }
  return pairs
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
