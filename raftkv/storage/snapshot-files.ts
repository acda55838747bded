// On-disk layout of snapshots under a node's snapshot directory:
//
//   gen-<id>/               a snapshot this node generated (to send); dropped at restart
//   recv-<index>-<term>/    a snapshot received and verified, waiting to be applied
//   tmp-<uuid>/             one being generated or received; dropped at restart
//
// Each snapshot directory holds db/ (a RocksDB directory: the database as it was at the
// snapshot's index) and snapshot.meta (an encoded eraftpb.Snapshot: raft metadata plus
// RaftSnapshotData). A received directory only gets its final name once every file in it
// is fsynced, so a recv-* directory is always complete.
import { randomUUID } from 'node:crypto'
import { copyFile, link, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { eraftpb } from '../../proto/generated/protos.js'
import type { Snapshot } from '../raft/index.js'
import { StorageError } from './errors.js'
import { hasFileCrc, type SnapshotFileEntry } from './snapshot-descriptor.js'

export const META_FILE = 'snapshot.meta'
/** The database copy inside a snapshot directory. */
export const DB_DIR = 'db'

export const receivedDirName = (index: number, term: number): string => `recv-${index}-${term}`
export const generatedDirName = (snapshotId: string): string => `gen-${snapshotId}`
export const tempDirName = (): string => `tmp-${randomUUID()}`

/** Files of a RocksDB directory that a copy leaves out: the lock and the info logs. */
export const isCopiedFile = (name: string): boolean => name !== 'LOCK' && !name.startsWith('LOG')

/** Writes a new file and fsyncs it before returning. */
export async function writeFileDurable(path: string, data: Uint8Array, durable = true): Promise<void> {
  const fh = await open(path, 'wx')
  try {
    await fh.writeFile(data)
    if (durable) await fh.datasync()
  } finally {
    await fh.close()
  }
}

/** Makes a directory's entries (new files, renames) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true })

export function encodeSnapshotMeta(s: Snapshot): Uint8Array {
  return eraftpb.Snapshot.encode(s).finish()
}

export async function readSnapshotMeta(dir: string): Promise<Snapshot> {
  let bytes: Buffer
  try {
    bytes = await readFile(join(dir, META_FILE))
  } catch (e) {
    throw new StorageError('SnapshotMissing', `no snapshot metadata in ${dir}`, { cause: e })
  }
  try {
    return eraftpb.Snapshot.decode(bytes)
  } catch (e) {
    throw new StorageError('SnapshotCorrupted', `snapshot metadata in ${dir} does not decode`, { cause: e })
  }
}

/**
 * Copies a *closed* RocksDB directory: table files (*.sst, never written again once
 * made) are hard-linked, the rest (MANIFEST, CURRENT, OPTIONS, WAL: small) copied.
 * Not fsynced: a generated copy does not outlive the process.
 */
export async function copyClosedDb(src: string, dst: string): Promise<void> {
  await mkdir(dst, { recursive: true })
  for (const name of await readdir(src)) {
    if (!isCopiedFile(name)) continue
    if (name.endsWith('.sst')) await link(join(src, name), join(dst, name))
    else await copyFile(join(src, name), join(dst, name))
  }
}

const CRC_READ_BYTES = 4 << 20

/** CRC-32 of a file, read in pieces through `buf`. */
export async function fileCrc32(path: string, buf: Buffer = Buffer.allocUnsafe(CRC_READ_BYTES)): Promise<number> {
  const fh = await open(path, 'r')
  try {
    let crc = 0
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null)
      if (bytesRead === 0) return crc >>> 0
      crc = crc32(buf.subarray(0, bytesRead), crc)
    }
  } finally {
    await fh.close()
  }
}

/** The files of a closed database copy, by name, with their sizes and (but for tables) checksums. */
export async function listDbFiles(dir: string): Promise<SnapshotFileEntry[]> {
  const names = (await readdir(dir)).filter(isCopiedFile).sort()
  const out: SnapshotFileEntry[] = []
  // One buffer for every file: with the node's malloc settings each fresh one is an mmap.
  const buf = Buffer.allocUnsafe(CRC_READ_BYTES)
  for (const name of names) {
    const path = join(dir, name)
    const s = await stat(path)
    if (!s.isFile()) continue
    out.push({ name, size: s.size, crc32: hasFileCrc(name) ? await fileCrc32(path, buf) : 0 })
  }
  return out
}

/** Where chunk `seq` lies: file, offset, length. */
export interface ChunkSlice {
  file: number
  offset: number
  length: number
}

/** The chunks of a copy in order: each file cut into slices of at most `chunkBytes`. */
export function planChunks(files: readonly SnapshotFileEntry[], chunkBytes: number): ChunkSlice[] {
  const out: ChunkSlice[] = []
  files.forEach((f, file) => {
    for (let offset = 0; offset < f.size; offset += chunkBytes) out.push({ file, offset, length: Math.min(chunkBytes, f.size - offset) })
  })
  return out
}

/** Reads one slice into `into` (a fresh buffer when absent); returns the bytes read, a view of it. */
export async function readSlice(dir: string, files: readonly SnapshotFileEntry[], s: ChunkSlice, into?: Buffer): Promise<Buffer> {
  const f = files[s.file]!
  try {
    const fh = await open(join(dir, f.name), 'r')
    try {
      const buf = into ? into.subarray(0, s.length) : Buffer.allocUnsafe(s.length)
      let done = 0
      while (done < s.length) {
        const { bytesRead } = await fh.read(buf, done, s.length - done, s.offset + done)
        if (bytesRead === 0) throw new Error(`${f.name} ends at ${s.offset + done}, expected ${f.size} bytes`)
        done += bytesRead
      }
      return buf
    } finally {
      await fh.close()
    }
  } catch (e) {
    throw new StorageError('SnapshotMissing', `cannot read ${f.name} of the snapshot in ${dir}: ${(e as Error).message}`, { cause: e })
  }
}

/** Reads ahead of the one whose chunks are being sent: reads from a cold page cache overlap. */
const READ_AHEAD = 3

/**
 * Bytes of one file read at once: several chunks per open/read/close. With 120 KiB chunks
 * and a read per chunk, opening and closing the file took the leader more time than the
 * reads (0.87 + 0.69 s of a 1 GiB transfer's 19 s profile).
 */
const READ_BYTES = 1 << 20

/**
 * The chunks of a copy, in order. Each read takes up to READ_BYTES of one file (whole
 * chunks), READ_AHEAD reads run while the chunks of one are used; the buffers take turns,
 * so a chunk stays valid until the one after it is asked for (the snapshot sender copies
 * each before that). Fresh megabytes per read cost more in page faults than the reads
 * themselves on this machine (`raftkv/transport/snapshot-sender.ts`).
 */
export async function* readSlices(dir: string, files: readonly SnapshotFileEntry[], chunkBytes: number): AsyncGenerator<Buffer> {
  // Reads are whole multiples of chunkBytes within a file, so chunk boundaries fall inside them as planChunks puts them.
  const perRead = Math.max(1, Math.floor(READ_BYTES / chunkBytes)) * chunkBytes
  const reads = planChunks(files, perRead)
  const size = Math.min(perRead, Math.max(0, ...reads.map((p) => p.length)))
  const buffers = Array.from({ length: READ_AHEAD + 1 }, () => Buffer.allocUnsafe(size))
  const read = (i: number): Promise<Buffer> => {
    const p = readSlice(dir, files, reads[i]!, buffers[i % buffers.length])
    // Handled here too: a read that fails while an earlier chunk is awaited is not an
    // unhandled rejection (its error still comes out where it is awaited).
    p.catch(() => undefined)
    return p
  }
  const ahead: Array<Promise<Buffer>> = []
  for (let i = 0; i < Math.min(READ_AHEAD, reads.length); i++) ahead.push(read(i))
  try {
    for (let i = 0; i < reads.length; i++) {
      const bytes = await ahead.shift()!
      // The buffer of the read before this one is free again: the consumer asked for a chunk past it.
      if (i + READ_AHEAD < reads.length) ahead.push(read(i + READ_AHEAD))
      for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, Math.min(at + chunkBytes, bytes.length))
    }
  } finally {
    await Promise.all(ahead.map((p) => p.catch(() => undefined)))
  }
}
