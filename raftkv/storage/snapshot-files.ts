// On-disk layout of snapshots under a node's snapshot directory:
//
//   gen-<id>/               a snapshot this node generated (to send); dropped at restart
//   recv-<index>-<term>/    a snapshot received and verified, waiting to be (or being) applied
//   tmp-<uuid>/             one being generated or received; dropped at restart
//
// Each snapshot directory holds chunk-000000.bin, chunk-000001.bin, ... (encoded
// raft_serverpb.SnapshotChunk, in order) and snapshot.meta (an encoded eraftpb.Snapshot:
// raft metadata plus RaftSnapshotData). A received directory only gets its final name
// once every file in it is fsynced, so a recv-* directory is always complete.
import { randomUUID } from 'node:crypto'
import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { eraftpb } from '../../proto/generated/protos.js'
import type { Snapshot } from '../raft/index.js'
import { StorageError } from './errors.js'

export const META_FILE = 'snapshot.meta'

export const chunkFileName = (seq: number): string => `chunk-${String(seq).padStart(6, '0')}.bin`
export const receivedDirName = (index: number, term: number): string => `recv-${index}-${term}`
export const generatedDirName = (snapshotId: string): string => `gen-${snapshotId}`
export const tempDirName = (): string => `tmp-${randomUUID()}`

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

/** fsyncs a file written earlier. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+')
  try {
    await fh.datasync()
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

export async function readChunkFile(dir: string, seq: number): Promise<Buffer> {
  try {
    return await readFile(join(dir, chunkFileName(seq)))
  } catch (e) {
    throw new StorageError('SnapshotMissing', `snapshot chunk ${seq} missing in ${dir}`, { cause: e })
  }
}

/** The chunks of a snapshot directory, in order, the next one read while this one is used. */
export async function* readChunkFiles(dir: string, count: number): AsyncGenerator<Buffer> {
  let ahead = count > 0 ? readChunkFile(dir, 0) : undefined
  try {
    for (let seq = 0; ahead; seq++) {
      const chunk = await ahead
      ahead = seq + 1 < count ? readChunkFile(dir, seq + 1) : undefined
      yield chunk
    }
  } finally {
    await ahead?.catch(() => undefined)
  }
}
