// SnapshotWriter: writes one received snapshot's chunks into a temp directory, checking each chunk as it
// comes (it must decode, keys must ascend, totals must stay within the descriptor),
// and on finish() the totals and the checksum; only then, with every file fsynced,
// does the directory become recv-<index>-<term> (SnapshotStore.commitReceived). Each
// chunk file's fsync runs in the background while the next chunks arrive; finish()
// waits for all of them.
// A writer that fails or is aborted leaves nothing behind.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Snapshot } from '../raft/index.js'
import { StorageError } from './errors.js'
import { ChunkTally, decodeChunk, type SnapshotDescriptor } from './snapshot-chunk.js'
import { chunkFileName, encodeSnapshotMeta, fsyncDir, fsyncFile, META_FILE, removeDir, writeFileDurable } from './snapshot-files.js'
import type { SnapshotFiles } from './snapshot-store.js'

type WriterState = 'receiving' | 'busy' | 'done' | 'failed'

export class SnapshotWriter {
  private state: WriterState = 'receiving'
  private readonly tally = new ChunkTally()
  private lastKey: Buffer | undefined
  private created = false
  private aborted = false
  /** fsyncs of the chunk files written so far, in flight (each settles, never rejects). */
  private syncs: Array<Promise<Error | undefined>> = []

  /** @internal Made by SnapshotStore.beginReceive. */
  constructor(
    private readonly tempDir: string,
    readonly snapshot: Snapshot,
    readonly descriptor: SnapshotDescriptor,
    private readonly commit: (tempDir: string) => Promise<SnapshotFiles>,
  ) {}

  get index(): number {
    return this.snapshot.metadata?.index ?? 0
  }

  get term(): number {
    return this.snapshot.metadata?.term ?? 0
  }

  get chunksReceived(): number {
    return this.tally.chunkCount
  }

  get bytesReceived(): number {
    return this.tally.dataSize
  }

  private enter(what: string): void {
    if (this.state !== 'receiving') throw new StorageError('SnapshotReceiveState', `cannot ${what}: writer is ${this.state}`)
    this.state = 'busy'
  }

  private async fail(e: StorageError): Promise<never> {
    this.state = 'failed'
    await Promise.all(this.syncs)
    await removeDir(this.tempDir)
    throw e
  }

  /** Stores chunk `seq` (0-based, in order). Throws SnapshotCorrupted (and discards everything) on a bad chunk. */
  async writeChunk(seq: number, bytes: Uint8Array): Promise<void> {
    this.enter('write a chunk')
    const d = this.descriptor
    if (seq !== this.tally.chunkCount) {
      this.state = 'receiving'
      throw new StorageError('SnapshotReceiveState', `expected chunk ${this.tally.chunkCount}, got ${seq}`)
    }
    if (seq >= d.chunkCount || this.tally.dataSize + bytes.byteLength > d.dataSize) {
      return this.fail(new StorageError('SnapshotCorrupted', `chunk ${seq} exceeds the snapshot's ${d.chunkCount} chunks / ${d.dataSize} bytes`))
    }
    let pairs
    try {
      pairs = decodeChunk(bytes)
    } catch (e) {
      return this.fail(e as StorageError)
    }
    for (const p of pairs) {
      if (this.lastKey && Buffer.compare(p.key, this.lastKey) <= 0) {
        return this.fail(new StorageError('SnapshotCorrupted', `chunk ${seq}: keys out of order`))
      }
      this.lastKey = p.key
    }
    // Keep the last key independent of the chunk buffer, which the caller may reuse.
    if (this.lastKey) this.lastKey = Buffer.from(this.lastKey)
    this.tally.add(bytes, pairs.length)
    try {
      if (!this.created) {
        await mkdir(this.tempDir, { recursive: true })
        this.created = true
      }
      const file = join(this.tempDir, chunkFileName(seq))
      await writeFileDurable(file, bytes, false)
      // At most two fsyncs in flight, so that they do not queue up ahead of the writes on the thread pool.
      if (this.syncs.length >= 2) await this.syncs[this.syncs.length - 2]
      this.syncs.push(fsyncFile(file).then(() => undefined, (e: unknown) => e as Error))
    } catch (e) {
      return this.fail(new StorageError('SnapshotReceiveState', `cannot store chunk ${seq}: ${(e as Error).message}`, { cause: e }))
    }
    if (this.aborted) return this.fail(new StorageError('SnapshotReceiveState', 'receiver aborted'))
    this.state = 'receiving'
  }

  /** Verifies the totals and the checksum and makes the snapshot available for apply. */
  async finish(): Promise<SnapshotFiles> {
    this.enter('finish')
    const d = this.descriptor
    const t = this.tally
    if (t.chunkCount !== d.chunkCount || t.dataSize !== d.dataSize || t.kvCount !== d.kvCount) {
      return this.fail(new StorageError('SnapshotCorrupted',
        `snapshot incomplete: ${t.chunkCount}/${d.chunkCount} chunks, ${t.dataSize}/${d.dataSize} bytes, ${t.kvCount}/${d.kvCount} pairs`))
    }
    if (t.checksum !== d.checksum) {
      return this.fail(new StorageError('SnapshotCorrupted', `snapshot checksum ${t.checksum} != ${d.checksum}`))
    }
    try {
      if (!this.created) await mkdir(this.tempDir, { recursive: true })
      const syncFailed = (await Promise.all(this.syncs)).find((e) => e !== undefined)
      if (syncFailed) throw syncFailed
      await writeFileDurable(join(this.tempDir, META_FILE), encodeSnapshotMeta(this.snapshot))
      await fsyncDir(this.tempDir)
      if (this.aborted) return this.fail(new StorageError('SnapshotReceiveState', 'receiver aborted'))
      const files = await this.commit(this.tempDir)
      this.state = 'done'
      return files
    } catch (e) {
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
    await Promise.all(this.syncs)
    await removeDir(this.tempDir)
  }
}
