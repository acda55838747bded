// The snapshot descriptor (raft_serverpb.RaftSnapshotData) that eraftpb.Snapshot.data
// carries: the region, and the files of the database copy the chunks will fill.
// Decoding checks everything a receiver will rely on, so bad input from the wire is
// refused before anything is written.
import { raft_serverpb } from '../../proto/generated/protos.js'
import { StorageError } from './errors.js'
import { regionFromProto, regionToProto, type RegionInfo } from './local-state.js'

/** The only snapshot format this build reads and writes: a copy of a RocksDB directory. */
export const SNAPSHOT_FORMAT_VERSION = 2

/**
 * Target bytes of one chunk (a slice of one file): 120 KiB, so that the receiver's copy of
 * each frame (ws allocates one buffer per message) stays below the nodes' malloc mmap
 * threshold (MALLOC_MMAP_THRESHOLD_ = 128 KiB, main/supervisor/launch-command.ts) and comes
 * from reused heap memory. 1 MiB chunks were each a fresh mmap, faulted in page by page and
 * unmapped again: at 1 GiB the receiver spent 7.1 s of CPU against 4.2 s with 120 KiB, and
 * the catch-up ran at 141 against 181 MB/s (same data, same machine, turns).
 */
export const SNAPSHOT_CHUNK_BYTES = 120 * 1024

export interface SnapshotFileEntry {
  readonly name: string
  readonly size: number
  /** CRC-32 of the bytes; 0 for a table file (see hasFileCrc). */
  readonly crc32: number
}

/**
 * Whether a file of the copy is checked by its CRC-32. Table files (*.sst) are not: each
 * of their blocks carries RocksDB's own checksum, verified whenever it is read, and the
 * wire has a CRC-32 per chunk; summing them at generation meant reading the whole
 * database once more (17 s of an 18 s generation of 1 GiB on a cold page cache).
 */
export const hasFileCrc = (name: string): boolean => !name.endsWith('.sst')

/** RaftSnapshotData, fully populated. */
export interface SnapshotDescriptor {
  readonly region: RegionInfo
  /** The files of the copy, in transfer order. */
  readonly files: readonly SnapshotFileEntry[]
  /** Sum of the files' sizes. */
  readonly dataSize: number
  /** RocksDB's estimate of the keys in the copy. */
  readonly kvCount: number
  readonly chunkCount: number
  readonly snapshotId: string
}

/** A file name RocksDB writes: no directory part, nothing a path could escape with. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Chunks of `size` bytes cut at `chunkBytes`: a file of size 0 has none. */
export const chunksOf = (size: number, chunkBytes: number): number => Math.ceil(size / chunkBytes)

export function encodeSnapshotData(d: SnapshotDescriptor): Uint8Array {
  return raft_serverpb.RaftSnapshotData.encode({
    region: regionToProto(d.region),
    dataSize: d.dataSize,
    kvCount: d.kvCount,
    chunkCount: d.chunkCount,
    snapshotId: d.snapshotId,
    files: d.files.map((f) => ({ name: f.name, size: f.size, crc32: f.crc32 })),
    formatVersion: SNAPSHOT_FORMAT_VERSION,
  }).finish()
}

const corrupted = (why: string): StorageError => new StorageError('SnapshotCorrupted', `snapshot data ${why}`)

export function decodeSnapshotData(b: Uint8Array | null | undefined): SnapshotDescriptor {
  let m: raft_serverpb.RaftSnapshotData
  try {
    m = raft_serverpb.RaftSnapshotData.decode(b ?? new Uint8Array(0))
  } catch (e) {
    throw new StorageError('SnapshotCorrupted', 'snapshot data does not decode', { cause: e })
  }
  const version = m.formatVersion ?? 0
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw corrupted(`is in format ${version || 1}; this build reads format ${SNAPSHOT_FORMAT_VERSION} only`)
  }
  const names = new Set<string>()
  let total = 0
  const files = (m.files ?? []).map((f) => {
    const name = f.name ?? ''
    const size = Number(f.size ?? 0)
    if (!FILE_NAME.test(name)) throw corrupted(`names a file ${JSON.stringify(name)} that is not a plain file name`)
    if (name === 'LOCK' || name.startsWith('LOG')) throw corrupted(`names ${name}, which is never part of a copy`)
    if (names.has(name)) throw corrupted(`names ${name} twice`)
    if (!Number.isSafeInteger(size) || size < 0) throw corrupted(`gives ${name} a size of ${String(f.size)}`)
    const crc = (f.crc32 ?? 0) >>> 0
    if (!hasFileCrc(name) && crc !== 0) throw corrupted(`gives the table file ${name} a CRC-32 (tables carry their own checksums)`)
    names.add(name)
    total += size
    return { name, size, crc32: crc }
  })
  if (!names.has('CURRENT')) throw corrupted('lists no CURRENT file: not a database copy')
  const dataSize = Number(m.dataSize ?? 0)
  if (dataSize !== total) throw corrupted(`says ${dataSize} bytes, its files hold ${total}`)
  const chunkCount = m.chunkCount ?? 0
  const nonEmpty = files.filter((f) => f.size > 0).length
  if (chunkCount < nonEmpty || chunkCount > total) throw corrupted(`says ${chunkCount} chunks for ${nonEmpty} non-empty files of ${total} bytes`)
  return {
    region: regionFromProto(m.region),
    files,
    dataSize,
    kvCount: Number(m.kvCount ?? 0),
    chunkCount,
    snapshotId: m.snapshotId ?? '',
  }
}
