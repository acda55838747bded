// PeerStorage: raft's Storage over RocksDB for the node's single region, after
// TinyKV's raftstore/peer_storage.go.
//
// Raft's Storage interface is synchronous: its methods answer from the raft states in
// memory and from the entry cache, which holds the newest log entries up to a byte
// budget and reads older ones back with the binding's synchronous range read. Writes
// are synchronous RocksDB batches, and the in-memory state changes only after a batch
// succeeded, so memory never runs ahead of disk. Log GC trims the log together with
// the truncated index.
import { join } from 'node:path'
import { eraftpb } from '../../proto/generated/protos.js'
import {
  ErrCompacted, ErrSnapOutOfDate, ErrSnapshotTemporarilyUnavailable, ErrUnavailable, isEmptyHardState, isEmptySnap,
  type ConfState, type Entry, type HardState, type Snapshot, type Storage,
} from '../raft/index.js'
import { ApplyBatch } from './apply-batch.js'
import { Engine, WriteBatch, type EngineMemory, type EngineOptions } from './engine.js'
import { ENTRY_CACHE_BYTES, EntryCache, type EntryLoader } from './entry-cache.js'
import { StorageError } from './errors.js'
import type { StorageEvent, StorageEventListener } from './events.js'
import { applyStateKey, dataKey, dataRange, decodeDataKey, decodeRaftLogKey, raftLogKey, raftLogRange, raftStateKey, REGION_ID, regionStateKey } from './keys.js'
import {
  decodeRaftApplyState, decodeRaftLocalState, decodeRegionLocalState, encodeRaftApplyState, encodeRaftLocalState,
  encodeRegionLocalState, PeerState, regionNodeIds,
  type PeerInfo, type RaftApplyState, type RaftLocalState, type RegionInfo, type RegionLocalState,
} from './local-state.js'
import { LogGc } from './log-gc.js'
import { DB_NAME, OLD_DB_NAME, prepareReceivedDb, recoverDbSwap, swapInDb, verifyReceivedDb, type SwapStep } from './snapshot-apply.js'
import { decodeSnapshotData, SNAPSHOT_CHUNK_BYTES } from './snapshot-descriptor.js'
import { removeDir } from './snapshot-files.js'
import { copyWhileClosed, finishGenerated, type SnapshotPoint } from './snapshot-generator.js'
import type { SnapshotWriter } from './snapshot-writer.js'
import { SnapshotStore, type GeneratedSnapshot, type SnapshotReader } from './snapshot-store.js'

export interface PeerStorageOptions {
  /** The node's data directory: RocksDB in `db/`, snapshot files in `snap/`. */
  dataDir: string
  /** Membership written on first start (a fresh directory); ignored afterwards. Empty: a node waiting to join. */
  initialPeers?: readonly PeerInfo[]
  regionId?: number
  /** Target bytes per snapshot chunk (default SNAPSHOT_CHUNK_BYTES, 120 KiB). */
  snapshotChunkBytes?: number
  /** RocksDB sizing (block cache, memtables): a small node's by default. */
  engine?: EngineOptions
  /** Bytes of raft log entries held in memory (default 4 MiB); older ones are read from RocksDB. */
  entryCacheBytes?: number
  onEvent?: StorageEventListener
}

/** The part of raft's Ready that is persisted before its messages are sent. */
export interface ReadyState {
  /** All-zero or absent: unchanged. */
  hardState?: HardState | null
  entries: readonly Entry[]
  /** Absent or empty (index 0): none. */
  snapshot?: Snapshot | null
}

export interface KvEntry {
  key: Buffer
  value: Buffer
}

const hardStateOf = (hs: HardState): RaftLocalState['hardState'] => ({ term: hs.term ?? 0, vote: hs.vote ?? 0, commit: hs.commit ?? 0 })
const sameHardState = (a: RaftLocalState['hardState'], b: RaftLocalState['hardState']): boolean =>
  a.term === b.term && a.vote === b.vote && a.commit === b.commit

export class PeerStorage implements Storage {
  private raft: RaftLocalState
  private apply: RaftApplyState
  private region: RegionLocalState
  private readonly cache: EntryCache
  private readonly gc: LogGc
  private closed = false
  /** Set while a received snapshot replaces the database. */
  private applying: Promise<void> | undefined
  /** raft asked for a snapshot: the next generatePendingSnapshot() makes one. */
  private generationWanted = false
  /** Set while the engine is closed to copy it. */
  private pausing: Promise<void> | undefined
  /** Set from the pause until the copy is a registered snapshot. */
  private generating: Promise<void> | undefined
  private latest: GeneratedSnapshot | undefined
  private readonly abort = new AbortController()

  private constructor(
    readonly engine: Engine,
    readonly snapshots: SnapshotStore,
    readonly regionId: number,
    states: { raft: RaftLocalState; apply: RaftApplyState; region: RegionLocalState },
    cache: EntryCache,
    private readonly chunkBytes: number,
    private readonly dataDir: string,
    private readonly engineOptions: EngineOptions,
    private readonly emit: (e: StorageEvent) => void,
  ) {
    this.raft = states.raft
    this.apply = states.apply
    this.region = states.region
    this.cache = cache
    this.gc = new LogGc(engine, regionId,
      (deletedBelow) => this.emit({ type: 'log-gc', deletedBelow }),
      (error) => this.emit({ type: 'log-gc-failed', error }))
  }

  /**
   * Opens the node's storage: finishes or undoes a snapshot's directory swap that a crash
   * interrupted, bootstraps a fresh directory, loads the raft states and the log.
   */
  static async open(options: PeerStorageOptions): Promise<PeerStorage> {
    const regionId = options.regionId ?? REGION_ID
    const emit = options.onEvent ?? (() => {})
    const engineOptions = options.engine ?? {}
    const swap = await recoverDbSwap(options.dataDir)
    if (swap !== 'none') emit({ type: 'snapshot-swap-recovered', outcome: swap })
    const engine = await Engine.open(join(options.dataDir, DB_NAME), engineOptions)
    try {
      if (engine.get(regionStateKey(regionId)) === undefined) bootstrap(engine, regionId, options.initialPeers ?? [])
      const states = loadStates(engine, regionId)
      if (states.region.state === PeerState.Applying) {
        throw new StorageError('StorageCorrupted', `region ${regionId} is marked Applying: a snapshot apply of an older build was interrupted; this build cannot finish it (remove the data dir to rejoin)`)
      }
      const snapshots = await SnapshotStore.open(join(options.dataDir, 'snap'))
      const cacheBytes = options.entryCacheBytes ?? ENTRY_CACHE_BYTES
      const cache = await loadLog(engine, regionId, states.raft, states.apply,
        new EntryCache(states.apply.truncatedIndex + 1, cacheBytes, logLoader(engine, regionId)))
      const ps = new PeerStorage(engine, snapshots, regionId, states, cache, options.snapshotChunkBytes ?? SNAPSHOT_CHUNK_BYTES,
        options.dataDir, engineOptions, emit)
      ps.gc.schedule(ps.apply.truncatedIndex)
      return ps
    } catch (e) {
      await engine.close()
      throw e
    }
  }

  // ---- raft's Storage ----

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.raft.hardState }, confState: { nodes: regionNodeIds(this.region.region) } }
  }

  entries(lo: number, hi: number): Entry[] {
    if (lo <= this.apply.truncatedIndex) throw ErrCompacted
    if (hi > this.raft.lastIndex + 1) throw ErrUnavailable
    if (lo >= hi) return []
    return this.cache.slice(lo, hi)
  }

  term(i: number): number {
    if (i === this.apply.truncatedIndex) return this.apply.truncatedTerm
    if (i < this.apply.truncatedIndex) throw ErrCompacted
    if (i > this.raft.lastIndex) throw ErrUnavailable
    return this.cache.get(i)!.term ?? 0
  }

  lastIndex(): number {
    return this.raft.lastIndex
  }

  firstIndex(): number {
    return this.apply.truncatedIndex + 1
  }

  /**
   * The latest generated snapshot while it is still usable (not older than the
   * truncated index); otherwise starts generating one in the background and throws
   * ErrSnapshotTemporarilyUnavailable until it is ready.
   */
  snapshot(): Snapshot {
    const g = this.usableSnapshot()
    if (g) return g.files.snapshot
    this.startGeneration()
    throw ErrSnapshotTemporarilyUnavailable
  }

  // ---- state ----

  get raftState(): RaftLocalState {
    return this.raft
  }

  get applyState(): RaftApplyState {
    return this.apply
  }

  get regionState(): RegionLocalState {
    return this.region
  }

  get appliedIndex(): number {
    return this.apply.appliedIndex
  }

  get truncatedIndex(): number {
    return this.apply.truncatedIndex
  }

  /** RocksDB's own memory figures (for the node's status). */
  engineMemory(): EngineMemory {
    return this.engine.memory()
  }

  /** Approximate bytes of the untruncated log, held in memory or not (for log GC's size limit). */
  get logByteSize(): number {
    return this.cache.byteSize
  }

  /** The entry cache: bytes held in memory and its budget. */
  get entryCacheMemory(): { heldBytes: number; heldEntries: number; budgetBytes: number } {
    return { heldBytes: this.cache.heldByteSize, heldEntries: this.cache.heldCount, budgetBytes: this.cache.budgetBytes }
  }

  get isApplyingSnapshot(): boolean {
    return this.applying !== undefined
  }

  get isGeneratingSnapshot(): boolean {
    return this.generationWanted || this.generating !== undefined
  }

  // ---- write path ----

  /**
   * Persists a Ready before its messages go out: a snapshot first (if any), then the
   * entries and hard state in one synced batch. Entries past the new last index, which
   * can never commit, are deleted in the same batch.
   */
  async saveReadyState(rd: ReadyState): Promise<void> {
    this.checkWritable()
    if (rd.snapshot && !isEmptySnap(rd.snapshot)) await this.applySnapshot(rd.snapshot, rd.hardState)
    this.appendEntries(rd.entries, rd.hardState)
  }

  private appendEntries(input: readonly Entry[], hsIn: HardState | null | undefined): void {
    let entries = input
    const first = this.firstIndex()
    if (entries.length > 0) {
      const last = entries[entries.length - 1]!.index ?? 0
      if (last < first) entries = []
      else if ((entries[0]!.index ?? 0) < first) entries = entries.slice(first - (entries[0]!.index ?? 0))
    }
    const hardState = hsIn && !isEmptyHardState(hsIn) ? hardStateOf(hsIn) : this.raft.hardState
    if (entries.length === 0 && sameHardState(hardState, this.raft.hardState)) return

    const batch = new WriteBatch()
    let lastIndex = this.raft.lastIndex
    let lastTerm = this.raft.lastTerm
    if (entries.length > 0) {
      const start = entries[0]!.index ?? 0
      if (start > lastIndex + 1) throw new StorageError('StorageBadArgument', `append at ${start} leaves a gap after ${lastIndex}`)
      for (const e of entries) batch.put(raftLogKey(this.regionId, e.index ?? 0), eraftpb.Entry.encode(e).finish())
      const newLast = entries[entries.length - 1]!
      for (let i = (newLast.index ?? 0) + 1; i <= lastIndex; i++) batch.delete(raftLogKey(this.regionId, i))
      lastIndex = newLast.index ?? 0
      lastTerm = newLast.term ?? 0
    }
    if (hardState.commit > lastIndex) {
      throw new StorageError('StorageBadArgument', `hard state commit ${hardState.commit} is past last index ${lastIndex}`)
    }
    const raft: RaftLocalState = { hardState, lastIndex, lastTerm }
    batch.put(raftStateKey(this.regionId), encodeRaftLocalState(raft))
    // Only new entries, a new term or a new vote must reach the disk before messages go
    // out; a commit index alone can be relearned from the leader, so it is not fsynced.
    const mustSync = entries.length > 0 || hardState.term !== this.raft.hardState.term || hardState.vote !== this.raft.hardState.vote
    this.engine.write(batch, { sync: mustSync })
    this.cache.append(entries)
    this.raft = raft
  }

  /** A batch for the effects of applying committed entries; write it with commitApply. */
  newApplyBatch(): ApplyBatch {
    return new ApplyBatch()
  }

  /**
   * Writes the batch's user data, the new applied index and (for conf changes) the new
   * region in one atomic batch (not synced: the log is). A CompactLog in the batch moves
   * the truncated index; the log below it is dropped from memory now and from disk by a
   * background range delete. `commit`, when above the persisted commit index, is written in
   * the same batch (a commit-only hard state: it needs no fsync of its own), so the applied
   * index on disk never runs ahead of the commit index on disk.
   */
  commitApply(batch: ApplyBatch, appliedIndex: number, commit?: number): void {
    this.checkWritable()
    let raft = this.raft
    if (commit !== undefined && commit > raft.hardState.commit) {
      if (commit > raft.lastIndex) throw new StorageError('StorageBadArgument', `commit ${commit} is past last index ${raft.lastIndex}`)
      raft = { ...raft, hardState: { ...raft.hardState, commit } }
    }
    if (appliedIndex < this.apply.appliedIndex || appliedIndex > raft.hardState.commit) {
      throw new StorageError('StorageBadArgument',
        `applied index ${appliedIndex} outside [${this.apply.appliedIndex}, commit ${raft.hardState.commit}]`)
    }
    let { truncatedIndex, truncatedTerm } = this.apply
    const c = batch.compact
    if (c && c.index > truncatedIndex) {
      if (c.index > appliedIndex) throw new StorageError('StorageBadArgument', `compact index ${c.index} is past applied ${appliedIndex}`)
      const term = this.term(c.index)
      if (term !== c.term) throw new StorageError('StorageBadArgument', `compact term ${c.term} != log term ${term} at ${c.index}`)
      truncatedIndex = c.index
      truncatedTerm = c.term
    }
    const apply: RaftApplyState = { appliedIndex, truncatedIndex, truncatedTerm }
    const writes = batch.writes
    writes.put(applyStateKey(this.regionId), encodeRaftApplyState(apply))
    if (batch.regionState) writes.put(regionStateKey(this.regionId), encodeRegionLocalState(batch.regionState))
    if (raft !== this.raft) writes.put(raftStateKey(this.regionId), encodeRaftLocalState(raft))
    this.engine.write(writes, { sync: false })
    this.raft = raft
    this.apply = apply
    if (batch.regionState) this.region = batch.regionState
    if (truncatedIndex > this.cache.firstIndex - 1) {
      this.cache.compactTo(truncatedIndex + 1)
      this.gc.schedule(truncatedIndex)
    }
  }

  // ---- user data reads ----

  /** The value of a user key as of the current applied index. */
  get(key: Uint8Array): Buffer | undefined {
    this.checkReadable()
    return this.engine.get(dataKey(key))
  }

  /** User pairs with keys in [start, end) (empty end: no bound), at most `limit` (0: all). */
  scan(start: Uint8Array, end: Uint8Array, limit = 0): KvEntry[] {
    this.checkReadable()
    const r = dataRange(start, end)
    return this.engine.scan(r.start, r.end, limit).map(([k, v]) => ({ key: decodeDataKey(k), value: v }))
  }

  /**
   * Like scan, but also stops once the pairs hold `maxBytes` of keys and values (at least
   * one pair is returned); `more` says whether pairs are left in the range. Reads in pages,
   * all within this call, so it sees one state.
   */
  scanBounded(start: Uint8Array, end: Uint8Array, limit: number, maxBytes: number): { pairs: KvEntry[]; more: boolean } {
    this.checkReadable()
    const r = dataRange(start, end)
    const pairs: KvEntry[] = []
    let bytes = 0
    let from: Uint8Array = r.start
    let page = 16
    for (;;) {
      const rows = this.engine.scan(from, r.end, page)
      for (const [k, v] of rows) {
        if (pairs.length >= limit || (pairs.length > 0 && bytes >= maxBytes)) return { pairs, more: true }
        const key = decodeDataKey(k)
        pairs.push({ key, value: v })
        bytes += key.byteLength + v.byteLength
      }
      if (rows.length < page) return { pairs, more: false }
      // The smallest key after the last one read.
      from = Buffer.concat([rows[rows.length - 1]![0], Buffer.from([0])])
      page = Math.min(page * 2, 1024)
    }
  }

  // ---- snapshots ----

  /** A reader on a generated snapshot by id (from the snapshot's data), for sending it; release it when done. */
  acquireSnapshot(snapshotId: string): SnapshotReader | undefined {
    return this.snapshots.acquireGenerated(snapshotId)
  }

  /** Starts receiving a snapshot of this region (metadata + RaftSnapshotData as raft's MsgSnapshot carries it). */
  beginReceiveSnapshot(snapshot: Snapshot): SnapshotWriter {
    const index = snapshot.metadata?.index ?? 0
    return this.snapshots.beginReceive(snapshot, this.regionId, (dbDir) => verifyReceivedDb(dbDir, this.regionId, index, this.engineOptions))
  }

  private startGeneration(): void {
    // raft asks on every probe: one generation at a time, from its pause to its end.
    if (this.pausing || this.generating || this.closed || this.applying) return
    this.generationWanted = true
  }

  /** The latest generated snapshot, while raft may still use it (not older than the log's start). */
  private usableSnapshot(): GeneratedSnapshot | undefined {
    const g = this.latest
    return g && g.files.index >= this.apply.truncatedIndex ? g : undefined
  }

  /**
   * Makes the snapshot raft asked for, if it did: closes the engine, copies its directory
   * (the applied state: tables hard-linked, the rest copied), reopens it, and lets the
   * copy become a snapshot in the background. Call it where nothing else uses the engine
   * (the driver, between two Readys); it resolves once the engine is open again. It
   * rejects only when the engine cannot be reopened (storage is then unusable); a failed
   * copy is a snapshot-generate-failed event, and raft asks again.
   */
  async generatePendingSnapshot(): Promise<void> {
    if (!this.generationWanted || this.pausing || this.generating || this.closed || this.applying) return
    this.generationWanted = false
    // Asked for before the last one was ready, and that one still serves.
    if (this.usableSnapshot()) return
    const index = this.apply.appliedIndex
    const point: SnapshotPoint = { index, term: this.term(index), region: this.region.region }
    const tmp = this.snapshots.tempDir()
    const started = performance.now()
    this.emit({ type: 'snapshot-generating', index: point.index, term: point.term })
    const pausing = (async () => {
      // Background log deletes use the engine: let them finish first.
      await this.gc.flush()
      return copyWhileClosed(this.engine, tmp, (step) => this.emit({ type: 'snapshot-generate-step', index: point.index, term: point.term, step }))
    })()
    this.pausing = pausing.then(() => undefined, () => undefined)
    let pause
    try {
      pause = await pausing
    } finally {
      this.pausing = undefined
    }
    const pauseMs = performance.now() - started
    const failed = (error: Error): void => this.emit({ type: 'snapshot-generate-failed', index: point.index, term: point.term, error })
    if (pause.copyError) {
      await removeDir(tmp)
      return failed(pause.copyError)
    }
    this.generating = finishGenerated(this.snapshots, tmp, point, this.regionId,
      { chunkBytes: this.chunkBytes, engine: this.engineOptions, signal: this.abort.signal }).then(
      async ({ snapshot: g, checkMs, listMs }) => {
        const previous = this.latest
        this.latest = g
        if (previous) await this.snapshots.retireGenerated(previous.id)
        const d = g.files.descriptor
        this.emit({ type: 'snapshot-generated', index: point.index, term: point.term, snapshotId: d.snapshotId,
          dataSize: d.dataSize, kvCount: d.kvCount, chunkCount: d.chunkCount, fileCount: d.files.length,
          pauseMs: Math.round(pauseMs), checkMs: Math.round(checkMs), listMs: Math.round(listMs), ms: Math.round(performance.now() - started) })
      },
      failed,
    ).finally(() => {
      this.generating = undefined
    })
  }

  /** Whether raft asked for a snapshot that generatePendingSnapshot() has yet to make (cheap: the driver checks it every round). */
  get snapshotWanted(): boolean {
    return this.generationWanted
  }

  /** Makes a wanted snapshot (see generatePendingSnapshot), then waits for a generation in progress (if any). */
  async waitSnapshotGeneration(): Promise<void> {
    await this.generatePendingSnapshot()
    while (this.generating) await this.generating
  }

  /**
   * Applies a received snapshot (raft's Ready.snapshot): the received database copy is
   * made this node's (its own raft state, the log dropped, applied = truncated = the
   * snapshot's index) and swapped in for the current database (snapshot-apply.ts). Reads
   * and writes are refused while it runs; a crash at any point leaves either the old
   * state or the new one.
   */
  private async applySnapshot(snapshot: Snapshot, hsIn: HardState | null | undefined): Promise<void> {
    const index = snapshot.metadata?.index ?? 0
    const term = snapshot.metadata?.term ?? 0
    if (index <= this.apply.appliedIndex) throw ErrSnapOutOfDate
    const descriptor = decodeSnapshotData(snapshot.data)
    const files = await this.snapshots.openReceived(index, term)
    if (files.descriptor.snapshotId !== descriptor.snapshotId) {
      throw new StorageError('SnapshotMissing', `received snapshot at ${index}/${term} is ${files.descriptor.snapshotId}, not ${descriptor.snapshotId}`)
    }
    this.checkWritable()
    const cur = hsIn && !isEmptyHardState(hsIn) ? hardStateOf(hsIn) : this.raft.hardState
    const raft: RaftLocalState = {
      hardState: { term: Math.max(cur.term, term), vote: cur.vote, commit: Math.max(cur.commit, index) },
      lastIndex: index,
      lastTerm: term,
    }
    const region: RegionLocalState = { state: PeerState.Normal, region: descriptor.region }
    // A node that gets a snapshot follows: one it was asked for as a leader is not needed.
    this.generationWanted = false
    const started = performance.now()
    this.snapshots.setApplying(index, term, true)
    this.emit({ type: 'snapshot-applying', index, term, snapshotId: descriptor.snapshotId, dataSize: descriptor.dataSize, fileCount: descriptor.files.length })
    const step = (s: SwapStep): void => this.emit({ type: 'snapshot-apply-step', index, term, step: s })
    const run = async (): Promise<number> => {
      const kvCount = await prepareReceivedDb(files.dbDir, this.regionId, raft, descriptor.region, this.engineOptions)
      step('prepared')
      await this.gc.flush()
      await this.engine.close()
      try {
        await swapInDb(this.dataDir, files.dbDir, step)
      } finally {
        // The new database, or the old one put back by a failed swap.
        await this.engine.reopen()
      }
      step('reopened')
      await removeDir(join(this.dataDir, OLD_DB_NAME))
      return kvCount
    }
    const running = run()
    this.applying = running.then(() => undefined, () => undefined)
    let kvCount
    try {
      kvCount = await running
    } finally {
      this.applying = undefined
      this.snapshots.setApplying(index, term, false)
    }
    this.raft = raft
    this.apply = { appliedIndex: index, truncatedIndex: index, truncatedTerm: term }
    this.region = region
    this.cache.reset(index + 1)
    this.emit({ type: 'snapshot-applied', index, term, kvCount, ms: Math.round(performance.now() - started) })
    await this.snapshots.removeReceived(index, term)
  }

  // ---- lifecycle ----

  private checkWritable(): void {
    if (this.closed) throw new StorageError('StorageClosed', 'peer storage is closed')
    if (this.applying) throw new StorageError('StorageBusy', 'a snapshot is being applied')
  }

  private checkReadable(): void {
    if (this.closed) throw new StorageError('StorageClosed', 'peer storage is closed')
    if (this.applying) throw new StorageError('SnapshotApplying', 'user data is being replaced by a snapshot')
  }

  /** Waits for background log deletion (tests and shutdown). */
  async flushLogGc(): Promise<void> {
    await this.gc.flush()
  }

  /**
   * Stops background work (waiting for a snapshot apply or a generation's pause in
   * progress; a generation after its pause is cancelled) and closes the engine.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.abort.abort()
    await this.applying
    await this.pausing
    while (this.generating) await this.generating
    await this.gc.stop()
    await this.snapshots.close()
    await this.engine.close()
  }
}

/** Writes the initial states of a fresh node: empty log at index 0, term 0. */
function bootstrap(engine: Engine, regionId: number, peers: readonly PeerInfo[]): void {
  const region: RegionInfo = { id: regionId, confVer: 1, version: 1, peers: peers.map((p) => ({ id: p.id, addr: p.addr })) }
  const batch = new WriteBatch()
    .put(raftStateKey(regionId), encodeRaftLocalState({ hardState: { term: 0, vote: 0, commit: 0 }, lastIndex: 0, lastTerm: 0 }))
    .put(applyStateKey(regionId), encodeRaftApplyState({ appliedIndex: 0, truncatedIndex: 0, truncatedTerm: 0 }))
    .put(regionStateKey(regionId), encodeRegionLocalState({ state: PeerState.Normal, region }))
  engine.write(batch, { sync: true })
}

function loadStates(engine: Engine, regionId: number): { raft: RaftLocalState; apply: RaftApplyState; region: RegionLocalState } {
  const raftBytes = engine.get(raftStateKey(regionId))
  const applyBytes = engine.get(applyStateKey(regionId))
  const regionBytes = engine.get(regionStateKey(regionId))
  if (!raftBytes || !applyBytes || !regionBytes) {
    throw new StorageError('StorageCorrupted', `region ${regionId} is missing its raft, apply or region state`)
  }
  const raft = decodeRaftLocalState(raftBytes)
  const apply = decodeRaftApplyState(applyBytes)
  const region = decodeRegionLocalState(regionBytes)
  const { commit } = raft.hardState
  if (!(apply.truncatedIndex <= apply.appliedIndex && apply.appliedIndex <= commit && commit <= raft.lastIndex && apply.truncatedIndex <= raft.lastIndex)) {
    throw new StorageError('StorageCorrupted',
      `inconsistent states: truncated ${apply.truncatedIndex}, applied ${apply.appliedIndex}, commit ${commit}, last ${raft.lastIndex}`)
  }
  return { raft, apply, region }
}

/** Reads stable log entries [lo, hi) back from RocksDB, synchronously (the entry cache's loader). */
function logLoader(engine: Engine, regionId: number): EntryLoader {
  return (lo, hi) => {
    const range = raftLogRange(regionId, lo, hi)
    const rows = engine.scan(range.start, range.end)
    const out: Entry[] = []
    let expect = lo
    for (const [k, v] of rows) {
      const index = decodeRaftLogKey(k, regionId)
      if (index !== expect) throw new StorageError('StorageCorrupted', `log gap: expected entry ${expect}, found ${index}`)
      out.push(decodeEntry(index, v))
      expect++
    }
    if (expect !== hi) throw new StorageError('StorageCorrupted', `log entries [${expect}, ${hi}) missing`)
    return out
  }
}

function decodeEntry(index: number, bytes: Uint8Array): Entry {
  let e: Entry
  try {
    e = eraftpb.Entry.decode(bytes)
  } catch (err) {
    throw new StorageError('StorageCorrupted', `log entry ${index} does not decode`, { cause: err })
  }
  if ((e.index ?? 0) !== index) throw new StorageError('StorageCorrupted', `log key ${index} holds entry ${e.index ?? 0}`)
  return e
}

/**
 * Reads the log (truncated, last] through `cache` (which keeps the newest part within its
 * budget), checking it is complete and contiguous. The log is bounded by log GC's limits,
 * not by the data.
 */
async function loadLog(engine: Engine, regionId: number, raft: RaftLocalState, apply: RaftApplyState, cache: EntryCache): Promise<EntryCache> {
  const range = raftLogRange(regionId, apply.truncatedIndex + 1, raft.lastIndex + 1)
  const it = engine.iterate(range.start, range.end)
  try {
    let expect = apply.truncatedIndex + 1
    for (;;) {
      const rows = await it.next(4096)
      if (rows.length === 0) break
      const batch: Entry[] = []
      for (const [k, v] of rows) {
        const index = decodeRaftLogKey(k, regionId)
        if (index !== expect) throw new StorageError('StorageCorrupted', `log gap: expected entry ${expect}, found ${index}`)
        batch.push(decodeEntry(index, v))
        expect++
      }
      cache.append(batch)
    }
  } finally {
    await it.close()
  }
  if (cache.lastIndex !== raft.lastIndex) {
    throw new StorageError('StorageCorrupted', `log ends at ${cache.lastIndex}, raft state says ${raft.lastIndex}`)
  }
  const lastTerm = raft.lastIndex === apply.truncatedIndex ? apply.truncatedTerm : cache.get(raft.lastIndex)?.term ?? 0
  if (lastTerm !== raft.lastTerm) throw new StorageError('StorageCorrupted', `last term ${lastTerm} != raft state's ${raft.lastTerm}`)
  return cache
}
