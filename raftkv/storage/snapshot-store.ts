// The snapshot directory of a node (layout in snapshot-files.ts): generated snapshots
// kept while someone sends them, received snapshots kept until they are applied.
import { mkdir, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Snapshot } from '../raft/index.js'
import { StorageError } from './errors.js'
import { decodeSnapshotData, type SnapshotDescriptor } from './snapshot-descriptor.js'
import {
  DB_DIR, fsyncDir, generatedDirName, planChunks, readSlice, readSlices, readSnapshotMeta, receivedDirName, removeDir, tempDirName,
} from './snapshot-files.js'
import { SnapshotWriter } from './snapshot-writer.js'

/** A snapshot on disk: raft's view of it, its descriptor, and its database copy. */
export interface SnapshotFiles {
  readonly index: number
  readonly term: number
  /** What raft sees (metadata + encoded descriptor as data). */
  readonly snapshot: Snapshot
  readonly descriptor: SnapshotDescriptor
  readonly dir: string
  /** The database copy (a closed RocksDB directory). */
  readonly dbDir: string
}

/** A handle on a generated snapshot that keeps its files until released. */
export interface SnapshotReader extends SnapshotFiles {
  /**
   * The chunks in order (slices of the copy's files; up to 1 MiB of a file read at once,
   * three reads ahead). A chunk's buffer is reused once the next chunk is asked for: copy
   * a chunk to keep it.
   */
  chunks(): AsyncIterable<Buffer>
  /** Chunk `seq` (0-based). */
  readChunk(seq: number): Promise<Buffer>
  release(): Promise<void>
}

function filesOf(dir: string, snapshot: Snapshot, descriptor: SnapshotDescriptor): SnapshotFiles {
  return { index: snapshot.metadata?.index ?? 0, term: snapshot.metadata?.term ?? 0, snapshot, descriptor, dir, dbDir: join(dir, DB_DIR) }
}

/** A generated snapshot; its directory goes once it is superseded and no reader holds it. */
export class GeneratedSnapshot {
  readonly files: SnapshotFiles
  private refs = 0
  private retired = false

  constructor(dir: string, snapshot: Snapshot, descriptor: SnapshotDescriptor, private readonly chunkBytes: number) {
    this.files = filesOf(dir, snapshot, descriptor)
  }

  get id(): string {
    return this.files.descriptor.snapshotId
  }

  acquire(): SnapshotReader {
    this.refs++
    let released = false
    const { dbDir, descriptor } = this.files
    const plan = planChunks(descriptor.files, this.chunkBytes)
    return {
      ...this.files,
      chunks: () => readSlices(dbDir, descriptor.files, this.chunkBytes),
      readChunk: async (seq) => {
        const slice = plan[seq]
        if (!slice) throw new StorageError('StorageBadArgument', `chunk ${seq} is past the snapshot's ${plan.length} chunks`)
        return readSlice(dbDir, descriptor.files, slice)
      },
      release: async () => {
        if (released) return
        released = true
        this.refs--
        if (this.retired && this.refs === 0) await removeDir(this.files.dir)
      },
    }
  }

  /** No new readers will be handed out; the files go when the last one is released. */
  async retire(): Promise<void> {
    this.retired = true
    if (this.refs === 0) await removeDir(this.files.dir)
  }
}

export class SnapshotStore {
  private readonly generated = new Map<string, GeneratedSnapshot>()
  /** recv-* directories being applied: a receiver may not replace them. */
  private readonly applying = new Set<string>()

  private constructor(readonly dir: string) {}

  /**
   * Opens (creating) the directory and drops everything in it: a restart makes temp and
   * generated snapshots useless, and a received one is applied in the Ready that names
   * it (the leader sends it again to a node that restarted before that).
   */
  static async open(dir: string): Promise<SnapshotStore> {
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) await removeDir(join(dir, name))
    return new SnapshotStore(dir)
  }

  /** A fresh temp directory path (not created). */
  tempDir(): string {
    return join(this.dir, tempDirName())
  }

  /** Moves a complete generated snapshot from its temp directory into place and registers it. */
  async addGenerated(tempDir: string, snapshot: Snapshot, descriptor: SnapshotDescriptor, chunkBytes: number): Promise<GeneratedSnapshot> {
    const dir = join(this.dir, generatedDirName(descriptor.snapshotId))
    await rename(tempDir, dir)
    const g = new GeneratedSnapshot(dir, snapshot, descriptor, chunkBytes)
    this.generated.set(g.id, g)
    return g
  }

  /** Forgets a generated snapshot (its files go once no reader holds them). */
  async retireGenerated(id: string): Promise<void> {
    const g = this.generated.get(id)
    if (!g) return
    this.generated.delete(id)
    await g.retire()
  }

  /** A reader on a generated snapshot, for sending it; undefined if unknown or retired. */
  acquireGenerated(snapshotId: string): SnapshotReader | undefined {
    return this.generated.get(snapshotId)?.acquire()
  }

  /**
   * Starts receiving the snapshot whose raft message is `snapshot` (metadata + encoded
   * RaftSnapshotData). Throws SnapshotCorrupted for a snapshot of another region or
   * with an unusable descriptor. `verify` checks the complete copy before it is kept.
   */
  beginReceive(snapshot: Snapshot, regionId: number, verify: (dbDir: string) => Promise<void>): SnapshotWriter {
    const descriptor = decodeSnapshotData(snapshot.data)
    const index = snapshot.metadata?.index ?? 0
    if (index === 0) throw new StorageError('SnapshotCorrupted', 'snapshot has no index')
    if (descriptor.region.id !== regionId) {
      throw new StorageError('SnapshotCorrupted', `snapshot is for region ${descriptor.region.id}, this node serves region ${regionId}`)
    }
    return new SnapshotWriter(this.tempDir(), snapshot, descriptor, verify, (tmp) => this.commitReceived(tmp, snapshot))
  }

  private async commitReceived(tempDir: string, snapshot: Snapshot): Promise<SnapshotFiles> {
    const name = receivedDirName(snapshot.metadata?.index ?? 0, snapshot.metadata?.term ?? 0)
    if (this.applying.has(name)) {
      throw new StorageError('SnapshotReceiveState', `snapshot ${name} is being applied`)
    }
    const dir = join(this.dir, name)
    await removeDir(dir) // a previous copy of the same snapshot
    await rename(tempDir, dir)
    await fsyncDir(this.dir)
    return filesOf(dir, snapshot, decodeSnapshotData(snapshot.data))
  }

  /** The received snapshot at (index, term); throws SnapshotMissing when there is none. */
  async openReceived(index: number, term: number): Promise<SnapshotFiles> {
    const dir = join(this.dir, receivedDirName(index, term))
    const snapshot = await readSnapshotMeta(dir)
    if ((snapshot.metadata?.index ?? 0) !== index || (snapshot.metadata?.term ?? 0) !== term) {
      throw new StorageError('SnapshotCorrupted', `snapshot metadata in ${dir} is not for ${index}/${term}`)
    }
    return filesOf(dir, snapshot, decodeSnapshotData(snapshot.data))
  }

  /** Marks a received snapshot as being applied (or done), so no receiver replaces it. */
  setApplying(index: number, term: number, on: boolean): void {
    const name = receivedDirName(index, term)
    if (on) this.applying.add(name)
    else this.applying.delete(name)
  }

  async removeReceived(index: number, term: number): Promise<void> {
    await removeDir(join(this.dir, receivedDirName(index, term)))
  }

  /** Retires every generated snapshot (at close). */
  async close(): Promise<void> {
    for (const id of [...this.generated.keys()]) await this.retireGenerated(id)
  }
}
