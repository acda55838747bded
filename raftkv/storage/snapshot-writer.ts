// SnapshotWriter: writes one received snapshot's chunks into a temp directory. The
// chunks are the descriptor's files in order, each cut into slices: a chunk must fit in
// what is left of the current file, and a file's CRC-32 must match once it is complete
// (but for table files, which carry RocksDB's checksums: hasFileCrc).
// A chunk's write runs while the next chunk arrives (writeChunk resolves once the write
// before it is done: two in flight), so the caller must leave a chunk's bytes unchanged
// until the next writeChunk (or finish) resolves. Each finished file is fsynced in the
// background (two at a time) while the next chunks arrive; finish() checks that every file is complete, waits for the fsyncs, and only
// then, once the copy opens as the database the descriptor promised (verify), does
// the directory become recv-<index>-<term> (SnapshotStore.commitReceived).
// A writer that fails or is aborted leaves nothing behind.
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { Snapshot } from '../raft/index.js'
import { StorageError } from './errors.js'
import { hasFileCrc, type SnapshotDescriptor } from './snapshot-descriptor.js'
import { DB_DIR, encodeSnapshotMeta, fsyncDir, META_FILE, removeDir, writeFileDurable } from './snapshot-files.js'
import type { SnapshotFiles } from './snapshot-store.js'

type WriterState = 'receiving' | 'busy' | 'done' | 'failed'

export class SnapshotWriter {
  private state: WriterState = 'receiving'
  private readonly dbDir: string
  private chunks = 0
  private bytes = 0
  /** The file being written: its index in descriptor.files, handle, bytes so far, running CRC. */
  private file = 0
  private fh: FileHandle | undefined
  private offset = 0
  private crc = 0
  private created = false
  private aborted = false
  /** The write of the last chunk, in flight (it settles, never rejects). */
  private writing: Promise<Error | undefined> = Promise.resolve(undefined)
  /** fsync + close of the files finished so far, in flight (each settles, never rejects). */
  private syncs: Array<Promise<Error | undefined>> = []

  /** @internal Made by SnapshotStore.beginReceive. */
  constructor(
    private readonly tempDir: string,
    readonly snapshot: Snapshot,
    readonly descriptor: SnapshotDescriptor,
    private readonly verify: (dbDir: string) => Promise<void>,
    private readonly commit: (tempDir: string) => Promise<SnapshotFiles>,
  ) {
    this.dbDir = join(tempDir, DB_DIR)
  }

  get index(): number {
    return this.snapshot.metadata?.index ?? 0
  }

  get term(): number {
    return this.snapshot.metadata?.term ?? 0
  }

  get chunksReceived(): number {
    return this.chunks
  }

  get bytesReceived(): number {
    return this.bytes
  }

  private enter(what: string): void {
    if (this.state !== 'receiving') throw new StorageError('SnapshotReceiveState', `cannot ${what}: writer is ${this.state}`)
    this.state = 'busy'
  }

  private async fail(e: StorageError): Promise<never> {
    this.state = 'failed'
    await this.writing
    await this.fh?.close().catch(() => {})
    this.fh = undefined
    await Promise.all(this.syncs)
    await removeDir(this.tempDir)
    throw e
  }

  private async ensureDir(): Promise<void> {
    if (this.created) return
    await mkdir(this.dbDir, { recursive: true })
    this.created = true
  }

  /** Creates the empty files before the current one (they have no chunk). */
  private async skipEmptyFiles(): Promise<void> {
    const files = this.descriptor.files
    while (this.file < files.length && files[this.file]!.size === 0 && !this.fh) {
      const f = files[this.file]!
      if ((f.crc32 >>> 0) !== 0) throw new StorageError('SnapshotCorrupted', `empty file ${f.name} with CRC ${f.crc32}`)
      const fh = await open(join(this.dbDir, f.name), 'wx')
      this.background(fh)
      this.file++
    }
  }

  /** fsyncs and closes a finished file in the background; at most two in flight. */
  private background(fh: FileHandle): void {
    this.syncs.push(fh.datasync().then(() => fh.close()).then(() => undefined, async (e: unknown) => {
      await fh.close().catch(() => {})
      return e as Error
    }))
  }

  /** Stores chunk `seq` (0-based, in order). Throws SnapshotCorrupted (and discards everything) on a bad chunk. */
  async writeChunk(seq: number, bytes: Uint8Array): Promise<void> {
    this.enter('write a chunk')
    const d = this.descriptor
    if (seq !== this.chunks) {
      this.state = 'receiving'
      throw new StorageError('SnapshotReceiveState', `expected chunk ${this.chunks}, got ${seq}`)
    }
    try {
      await this.ensureDir()
      await this.skipEmptyFiles()
      const f = d.files[this.file]
      if (seq >= d.chunkCount || !f) {
        return await this.fail(new StorageError('SnapshotCorrupted', `chunk ${seq} is past the snapshot's ${d.chunkCount} chunks / ${d.files.length} files`))
      }
      if (bytes.byteLength === 0 || this.offset + bytes.byteLength > f.size) {
        return await this.fail(new StorageError('SnapshotCorrupted',
          `chunk ${seq} of ${bytes.byteLength} bytes does not fit ${f.name} (${this.offset} of ${f.size} bytes written)`))
      }
      this.fh ??= await open(join(this.dbDir, f.name), 'wx')
      const previous = this.writing
      this.writing = writeAll(this.fh, bytes, this.offset).then(() => undefined, (e: unknown) => e as Error)
      if (hasFileCrc(f.name)) this.crc = crc32(bytes, this.crc)
      this.offset += bytes.byteLength
      this.bytes += bytes.byteLength
      this.chunks++
      const failed = await previous
      if (failed) throw failed
      if (this.offset === f.size) {
        // The file's last write must be done before its fsync.
        const lastFailed = await this.writing
        if (lastFailed) throw lastFailed
        if (hasFileCrc(f.name) && (this.crc >>> 0) !== (f.crc32 >>> 0)) {
          return await this.fail(new StorageError('SnapshotCorrupted', `${f.name}: CRC-32 ${this.crc >>> 0} != ${f.crc32 >>> 0}`))
        }
        // At most two fsyncs in flight, so that they do not queue up ahead of the writes on the thread pool.
        if (this.syncs.length >= 2) await this.syncs[this.syncs.length - 2]
        this.background(this.fh)
        this.fh = undefined
        this.file++
        this.offset = 0
        this.crc = 0
      }
    } catch (e) {
      if (this.state === 'failed') throw e
      return this.fail(new StorageError('SnapshotReceiveState', `cannot store chunk ${seq}: ${(e as Error).message}`, { cause: e }))
    }
    if (this.aborted) return this.fail(new StorageError('SnapshotReceiveState', 'receiver aborted'))
    this.state = 'receiving'
  }

  /** Verifies that every file is complete and makes the snapshot available for apply. */
  async finish(): Promise<SnapshotFiles> {
    this.enter('finish')
    const d = this.descriptor
    try {
      await this.ensureDir()
      await this.skipEmptyFiles()
      if (this.file !== d.files.length || this.chunks !== d.chunkCount || this.bytes !== d.dataSize) {
        const at = d.files[this.file]
        return await this.fail(new StorageError('SnapshotCorrupted',
          `snapshot incomplete: ${this.chunks}/${d.chunkCount} chunks, ${this.bytes}/${d.dataSize} bytes` +
          (at ? `, ${at.name} has ${this.offset} of ${at.size} bytes` : '')))
      }
      const syncFailed = [await this.writing, ...(await Promise.all(this.syncs))].find((e) => e !== undefined)
      if (syncFailed) throw syncFailed
      await fsyncDir(this.dbDir)
      // Opening it may write (a table from the WAL, a new MANIFEST): fsynced again after.
      await this.verify(this.dbDir)
      await fsyncDir(this.dbDir)
      await writeFileDurable(join(this.tempDir, META_FILE), encodeSnapshotMeta(this.snapshot))
      await fsyncDir(this.tempDir)
      if (this.aborted) return await this.fail(new StorageError('SnapshotReceiveState', 'receiver aborted'))
      const files = await this.commit(this.tempDir)
      this.state = 'done'
      return files
    } catch (e) {
      if (this.state === 'failed') throw e
      const err = e instanceof StorageError ? e : new StorageError('SnapshotReceiveState', `cannot store snapshot: ${(e as Error).message}`, { cause: e })
      return this.fail(err)
    }
  }

  /** Discards whatever was received. */
  async abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'failed' || this.aborted) return
    this.aborted = true
    // A write in progress notices and cleans up after itself.
    if (this.state === 'busy') return
    this.state = 'failed'
    await this.writing
    await this.fh?.close().catch(() => {})
    this.fh = undefined
    await Promise.all(this.syncs)
    await removeDir(this.tempDir)
  }
}

/** Writes all of `bytes` at `offset`. */
async function writeAll(fh: FileHandle, bytes: Uint8Array, offset: number): Promise<void> {
  let done = 0
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, offset + done)
    done += bytesWritten
  }
}
