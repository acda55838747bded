// A typed engine over @nxtedition/rocksdb: the only file that touches the binding.
//
// What the binding offers (read from its source, checked by engine.test.ts):
// - batch writes are synchronous on the JS thread; `sync: true` is honoured only there;
// - synchronous point reads (MultiGet) and synchronous range reads (querySync);
// - iterators are RocksDB iterators created eagerly, so each one is a point-in-time
//   view of the database as of its creation; their nextv() runs on the thread pool;
// - clear() without a limit is a RocksDB DeleteRange, issued synchronously at call
//   time (it cannot join a write batch). There is no explicit snapshot handle.
import { RocksLevel, type RocksIterator } from '@nxtedition/rocksdb'
import { StorageError } from './errors.js'

/**
 * RocksDB sized for a small node (measured in ../../bench/results/scale.json): the
 * binding's defaults (64 MiB write buffers, two of them, WAL files preallocated to match)
 * cost ~150 MB of RSS and 75 MB of an empty data dir.
 */
export interface EngineOptions {
  /** Block cache bytes, index and filter blocks counted in it (default 8 MiB). */
  blockCacheBytes?: number
  /**
   * Memtable budget (default 16 MiB): write buffers of a quarter of it, flushed two at a
   * time, at most six in memory (1.5 x the budget at worst); WAL preallocation follows.
   */
  memtableBytes?: number
}

export const ENGINE_DEFAULTS: Required<EngineOptions> = { blockCacheBytes: 8 << 20, memtableBytes: 16 << 20 }

/** What RocksDB itself says it holds in memory. */
export interface EngineMemory {
  memtablesBytes: number
  blockCacheBytes: number
  tableReadersBytes: number
}

const toBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)

/** Puts and deletes collected in JS, written atomically by Engine.write. */
export class WriteBatch {
  /** key, value (undefined: delete), key, value, ... */
  private readonly ops: Array<Buffer | undefined> = []
  private bytes = 0

  put(key: Uint8Array, value: Uint8Array): this {
    this.ops.push(toBuffer(key), toBuffer(value))
    this.bytes += key.byteLength + value.byteLength
    return this
  }

  delete(key: Uint8Array): this {
    this.ops.push(toBuffer(key), undefined)
    this.bytes += key.byteLength
    return this
  }

  /** Number of operations. */
  get count(): number {
    return this.ops.length / 2
  }

  /** Key and value bytes in the batch (a size hint for splitting work). */
  get byteSize(): number {
    return this.bytes
  }

  /** @internal Replays the operations onto a native batch. */
  replay(put: (k: Buffer, v: Buffer) => void, del: (k: Buffer) => void): void {
    const ops = this.ops
    for (let i = 0; i < ops.length; i += 2) {
      const v = ops[i + 1]
      if (v === undefined) del(ops[i]!)
      else put(ops[i]!, v)
    }
  }
}

/** A point-in-time range read: the view is fixed when the iterator is created. */
export class EngineIterator {
  private closed = false
  constructor(private readonly it: RocksIterator) {}

  /** The next pairs (at most `count`, stopping early past the byte budget); [] at the end. */
  async next(count: number): Promise<Array<[Buffer, Buffer]>> {
    if (this.closed) return []
    return this.it.nextv(count)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.it.close()
  }
}

export class Engine {
  /** The last memory figures read while open (what memory() answers while closed). */
  private lastMemory: EngineMemory = { memtablesBytes: 0, blockCacheBytes: 0, tableReadersBytes: 0 }

  private constructor(private db: RocksLevel, readonly path: string, private readonly options: Required<EngineOptions>) {}

  private static async openDb(path: string, o: Required<EngineOptions>): Promise<RocksLevel> {
    const db = new RocksLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open({
      createIfMissing: true,
      // 'level' is what makes the binding honour memtableMemoryBudget (see rocksdb.d.ts).
      compaction: 'level',
      memtableMemoryBudget: o.memtableBytes,
      cacheSize: o.blockCacheBytes,
      cacheIndexAndFilterBlocks: true,
      // The binding's default (true) also trains a 16 KiB ZSTD dictionary on 1.6 MB of
      // samples for every table a compaction writes. That training is what compactions
      // spent their time on: a node that had taken 1 GiB of 1 KiB values compacted at
      // ~13 MB/s on a whole core, and still had 2.3 GB of compaction pending minutes after
      // the writes stopped (every node of an idle cluster at ~65% of a core). Without it
      // the same backlog was done in under 10 s. Levels 2 and up are still ZSTD (without a
      // dictionary), 0 and 1 uncompressed: the binding's 'level' settings.
      compression: false,
    })
    return db
  }

  static async open(path: string, options: EngineOptions = {}): Promise<Engine> {
    const o = { ...ENGINE_DEFAULTS, ...options }
    return new Engine(await Engine.openDb(path, o), path, o)
  }

  /**
   * Opens the database at `path` again after close(), with the same options (the same
   * Engine object, so its holders keep it). The directory may have been replaced in between.
   */
  async reopen(): Promise<void> {
    if (this.db.status !== 'closed') throw new StorageError('StorageBadArgument', `engine at ${this.path} is ${this.db.status}, not closed`)
    this.db = await Engine.openDb(this.path, this.options)
  }

  /** RocksDB's own memory figures (memtables, block cache, table readers outside the cache). */
  memory(): EngineMemory {
    if (!this.isOpen) return this.lastMemory
    const prop = (name: string): number => {
      const n = Number(this.db.getProperty(name))
      return Number.isFinite(n) ? n : 0
    }
    this.lastMemory = {
      memtablesBytes: prop('rocksdb.cur-size-all-mem-tables'),
      blockCacheBytes: prop('rocksdb.block-cache-usage'),
      tableReadersBytes: prop('rocksdb.estimate-table-readers-mem'),
    }
    return this.lastMemory
  }

  /** RocksDB's estimate of the number of keys. */
  estimateKeys(): number {
    this.checkOpen()
    const n = Number(this.db.getProperty('rocksdb.estimate-num-keys'))
    return Number.isFinite(n) ? n : 0
  }

  get isOpen(): boolean {
    return this.db.status === 'open'
  }

  private checkOpen(): void {
    if (this.db.status !== 'open') throw new StorageError('StorageClosed', `engine at ${this.path} is ${this.db.status}`)
  }

  /** Synchronous point read. */
  get(key: Uint8Array): Buffer | undefined {
    this.checkOpen()
    const [v] = this.db._getManySync([toBuffer(key)])
    if (v === null) throw new StorageError('StorageCorrupted', 'read aborted by the engine')
    return v
  }

  /** Synchronous range read of [start, end), at most `limit` pairs (0: no limit). */
  scan(start: Uint8Array, end: Uint8Array, limit = 0): Array<[Buffer, Buffer]> {
    this.checkOpen()
    const { rows } = this.db.querySync({
      gte: toBuffer(start), lt: toBuffer(end), keyEncoding: 'buffer', valueEncoding: 'buffer',
      ...(limit > 0 ? { limit } : {}),
    })
    const out: Array<[Buffer, Buffer]> = []
    for (let i = 0; i < rows.length; i += 2) out.push([rows[i]!, rows[i + 1]!])
    return out
  }

  /**
   * A point-in-time iterator over [start, end): it sees the database as it is at this
   * call, whatever is written afterwards. Each next() stops after about `batchBytes`.
   */
  iterate(start: Uint8Array, end: Uint8Array, batchBytes = 1 << 20): EngineIterator {
    this.checkOpen()
    return new EngineIterator(this.db.iterator({
      gte: toBuffer(start), lt: toBuffer(end), keyEncoding: 'buffer', valueEncoding: 'buffer',
      highWaterMarkBytes: batchBytes, fillCache: false,
    }))
  }

  /** Writes the batch atomically, synchronously; with `sync` the WAL is fsynced first. */
  write(batch: WriteBatch, options: { sync: boolean }): void {
    this.checkOpen()
    if (batch.count === 0 && !options.sync) return
    const native = this.db.batch()
    try {
      batch.replay((k, v) => native._put(k, v), (k) => native._del(k))
      native._writeSync({ sync: options.sync })
    } finally {
      void native.close()
    }
  }

  /**
   * Deletes every key in [start, end) with one RocksDB DeleteRange (not synced, not
   * part of any batch). The range delete is issued when this is called; the promise
   * reports its outcome.
   */
  async deleteRange(start: Uint8Array, end: Uint8Array): Promise<void> {
    this.checkOpen()
    await this.db.clear({ gte: toBuffer(start), lt: toBuffer(end), keyEncoding: 'buffer' })
  }

  async close(): Promise<void> {
    if (this.db.status === 'closed') return
    // A second close while the first runs waits for it, so that "closed" holds after it.
    await this.db.close()
  }
}
