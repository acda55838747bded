// The part of @nxtedition/rocksdb (which ships no types) that raftkv/storage uses.
// Only engine.ts imports the module; everything else goes through Engine.
// Underscored methods are the fork's synchronous "nxt API" (see its chained-batch.js
// and index.js): they run on the JS thread and throw instead of calling back.
declare module '@nxtedition/rocksdb' {
  export interface RocksOpenOptions {
    createIfMissing?: boolean
    errorIfExists?: boolean
    /** 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'header'; absent: no info log. */
    infoLogLevel?: string
    /** Block cache bytes (default 8 MiB). */
    cacheSize?: number
    /** Charge index and filter blocks to the block cache (default false: held outside, unbounded). */
    cacheIndexAndFilterBlocks?: boolean
    /** Memtable budget in bytes (default 256 MiB) when `compaction` is set. */
    memtableMemoryBudget?: number
    compaction?: 'level' | 'universal'
    walCompression?: boolean
    /** ZSTD with a trained 16 KiB dictionary for every table (default true); false: the binding's per-level settings alone. */
    compression?: boolean
    parallelism?: number
  }

  export interface RocksRange {
    gt?: Buffer
    gte?: Buffer
    lt?: Buffer
    lte?: Buffer
    limit?: number
  }

  export interface RocksIteratorOptions extends RocksRange {
    keyEncoding: 'buffer'
    valueEncoding: 'buffer'
    keys?: boolean
    values?: boolean
    reverse?: boolean
    /** Stop a nextv() batch once this many key+value bytes are read. */
    highWaterMarkBytes?: number
    fillCache?: boolean
  }

  export interface RocksIterator {
    /** Up to size [key, value] pairs; an empty array at the end. Runs on the thread pool. */
    nextv(size: number): Promise<Array<[Buffer, Buffer]>>
    close(): Promise<void>
  }

  export interface RocksChainedBatch {
    _put(key: Buffer | Uint8Array, value: Buffer | Uint8Array): void
    _del(key: Buffer | Uint8Array): void
    /** Writes the batch atomically; `sync: true` fsyncs the WAL first. Throws on failure. */
    _writeSync(options: { sync?: boolean }): void
    /** Releases the batch (and detaches it from the db). */
    close(): Promise<void>
  }

  export interface RocksQueryResult {
    /** key, value, key, value, ... */
    rows: Buffer[]
    finished: boolean
  }

  export class RocksLevel {
    constructor(location: string, options?: { keyEncoding?: 'buffer'; valueEncoding?: 'buffer' })
    readonly status: 'opening' | 'open' | 'closing' | 'closed'
    readonly location: string
    open(options?: RocksOpenOptions): Promise<void>
    close(): Promise<void>
    batch(): RocksChainedBatch
    iterator(options: RocksIteratorOptions): RocksIterator
    /** Without a limit this is a RocksDB DeleteRange, done on the JS thread. */
    clear(options: RocksRange & { keyEncoding: 'buffer' }): Promise<void>
    /** Synchronous MultiGet: a Buffer per key, undefined when absent. */
    _getManySync(keys: Array<Buffer | Uint8Array>, options?: { fillCache?: boolean }): Array<Buffer | undefined | null>
    /** Synchronous range read through a fresh iterator. */
    querySync(options: RocksIteratorOptions): RocksQueryResult
    getProperty(property: string): string
  }
}
