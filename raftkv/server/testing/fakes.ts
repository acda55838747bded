// In-memory stand-ins for the driver's storage and transport, for unit tests of the
// server's parts without a process or a disk. Raft itself is real (it is pure): a RawNode
// over a MemoryStorage that the fake storage keeps in step with what it "persists".
import { pino, type Logger } from 'pino'
import { MemoryStorage, RawNode, isEmptyHardState, type Message } from '../../raft/index.js'
import { PeerState, type EngineMemory, type KvEntry, type ReadyState, type RegionLocalState } from '../../storage/index.js'
import type { ApplyWrites } from '../applier.js'
import type { DriverPeers, DriverStorage } from '../raft-driver.js'

type MessagesListener = Parameters<DriverPeers['onMessages']>[0]
type WireMessages = Parameters<MessagesListener>[0]

export const silentLog = (): Logger => pino({ level: 'silent' })

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export class FakeApplyBatch implements ApplyWrites {
  readonly puts: [Uint8Array, Uint8Array][] = []
  readonly deletes: Uint8Array[] = []
  region: RegionLocalState['region'] | undefined
  compact: { index: number; term: number } | undefined
  put(key: Uint8Array, value: Uint8Array): this { this.puts.push([key, value]); return this }
  delete(key: Uint8Array): this { this.deletes.push(key); return this }
  setRegion(region: RegionLocalState['region']): this { this.region = region; return this }
  compactLog(index: number, term: number): this { this.compact = { index, term }; return this }
}

/** What the driver writes, in order: 'save' (entries/hard state), 'apply <index>'. */
export class FakeStorage implements DriverStorage {
  readonly raft = new MemoryStorage()
  readonly journal: string[] = []
  readonly saved: ReadyState[] = []
  /** Every commitApply: the applied index written, and the commit index on disk once written. */
  readonly applies: { applied: number; commitOnDisk: number }[] = []
  readonly data = new Map<string, Buffer>()
  regionState: RegionLocalState
  appliedIndex = 0
  truncatedIndex = 0
  logByteSize = 0
  /** No RocksDB here: its memory figures are zero. */
  engineMemory(): EngineMemory {
    return { memtablesBytes: 0, blockCacheBytes: 0, tableReadersBytes: 0 }
  }
  /** The next saveReadyState fails with this. */
  failNextSave: Error | undefined

  constructor(peers: readonly number[]) {
    this.regionState = { state: PeerState.Normal, region: { id: 1, confVer: 1, version: 1, peers: peers.map((id) => ({ id, addr: `127.0.0.1:${7000 + id}` })) } }
  }

  get members(): number[] {
    return this.regionState.region.peers.map((p) => p.id)
  }

  lastIndex(): number {
    return this.raft.lastIndex()
  }

  /** MemoryStorage makes snapshots on demand: nothing is ever pending. */
  readonly snapshotWanted = false
  async generatePendingSnapshot(): Promise<void> {}

  async saveReadyState(rd: ReadyState): Promise<void> {
    await Promise.resolve()
    if (this.failNextSave) {
      const err = this.failNextSave
      this.failNextSave = undefined
      throw err
    }
    // Like PeerStorage: nothing new (a commit already written with an apply batch) writes nothing.
    const cur = this.raft.initialState().hardState
    const hs = rd.hardState
    const sameHs = !hs || isEmptyHardState(hs) || ((hs.term ?? 0) === (cur.term ?? 0) && (hs.vote ?? 0) === (cur.vote ?? 0) && (hs.commit ?? 0) === (cur.commit ?? 0))
    if (rd.entries.length === 0 && sameHs) return
    if (rd.hardState && !isEmptyHardState(rd.hardState)) this.raft.setHardState(rd.hardState)
    if (rd.entries.length > 0) this.raft.append([...rd.entries])
    this.saved.push(rd)
    this.journal.push(rd.entries.length > 0 ? `save ${rd.entries[0]!.index}..${rd.entries[rd.entries.length - 1]!.index}` : `save commit ${rd.hardState?.commit ?? 0}`)
  }

  newApplyBatch(): FakeApplyBatch {
    return new FakeApplyBatch()
  }

  commitApply(batch: ApplyWrites, appliedIndex: number, commit?: number): void {
    const b = batch as FakeApplyBatch
    const persisted = this.raft.initialState().hardState
    if (commit !== undefined && commit > (persisted.commit ?? 0)) {
      this.raft.setHardState({ ...persisted, commit })
      this.journal.push(`commit ${commit}`)
    }
    this.applies.push({ applied: appliedIndex, commitOnDisk: this.raft.initialState().hardState.commit ?? 0 })
    for (const [k, v] of b.puts) this.data.set(hex(k), Buffer.from(v))
    for (const k of b.deletes) this.data.delete(hex(k))
    if (b.region) this.regionState = { state: PeerState.Normal, region: b.region }
    if (b.compact) this.truncatedIndex = b.compact.index
    this.appliedIndex = appliedIndex
    this.journal.push(`apply ${appliedIndex}`)
  }

  get(key: Uint8Array): Buffer | undefined {
    return this.data.get(hex(key))
  }

  scanBounded(start: Uint8Array, end: Uint8Array, limit: number, maxBytes: number): { pairs: KvEntry[]; more: boolean } {
    const keys = [...this.data.keys()].map((k) => Buffer.from(k, 'hex')).filter((k) => Buffer.compare(k, start) >= 0 && (end.length === 0 || Buffer.compare(k, end) < 0)).sort(Buffer.compare)
    const pairs: KvEntry[] = []
    let bytes = 0
    for (const key of keys) {
      if (pairs.length >= limit || (pairs.length > 0 && bytes >= maxBytes)) return { pairs, more: true }
      const value = this.data.get(hex(key))!
      pairs.push({ key, value })
      bytes += key.length + value.length
    }
    return { pairs, more: false }
  }
}

export class FakePeers implements DriverPeers {
  readonly sent: Message[] = []
  peers = new Map<number, string>()
  private messageListener: MessagesListener | undefined
  private unreachableListener: ((id: number) => void) | undefined
  private lostListener: ((id: number) => void) | undefined
  onSend: (() => void) | undefined

  onMessages(cb: MessagesListener): () => void {
    this.messageListener = cb
    return () => { this.messageListener = undefined }
  }

  onUnreachable(cb: (id: number) => void): () => void {
    this.unreachableListener = cb
    return () => { this.unreachableListener = undefined }
  }

  onPeerLost(cb: (id: number) => void): () => void {
    this.lostListener = cb
    return () => { this.lostListener = undefined }
  }

  send(msgs: readonly Message[]): void {
    this.sent.push(...msgs)
    this.onSend?.()
  }

  setPeers(peers: ReadonlyMap<number, string>): void {
    this.peers = new Map(peers)
  }

  /** Delivers messages as if they came over /raft. */
  deliver(msgs: Message[]): void {
    this.messageListener?.(msgs as WireMessages)
  }

  reportUnreachable(id: number): void {
    this.unreachableListener?.(id)
  }

  /** As if the link to `id` closed and its address refused a connect (the peer's process is gone). */
  reportLost(id: number): void {
    this.lostListener?.(id)
  }
}

/** A RawNode over the fake storage's MemoryStorage, with async leader writes as the node runs it. */
export function rawNodeOver(storage: FakeStorage, id: number, asyncLeaderWrites = true): RawNode {
  return new RawNode({ id, peers: storage.members, electionTick: 10, heartbeatTick: 1, storage: storage.raft, applied: storage.appliedIndex, rand: () => 0, asyncLeaderWrites })
}

/** Waits for a condition, polling; generous so that a loaded machine does not fail it. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** A service connection (/kv, /admin) without a socket: frames in by deliver(), out into `sent`. */
export class FakeConnection {
  readonly id = 1
  readonly remoteAddress = '127.0.0.1:50000'
  readonly sent: Uint8Array[] = []
  isOpen = true
  paused = false
  /** Bytes "in the socket buffer": what was sent and not yet flushed(). */
  bufferedAmount = 0
  closedWith: { code: number; reason: string } | undefined
  private readonly pending: { bytes: number; done?: (err?: Error) => void }[] = []
  private listener: ((bytes: Uint8Array) => void) | undefined

  send(bytes: Uint8Array, done?: (err?: Error) => void): void {
    this.sent.push(bytes)
    this.bufferedAmount += bytes.length
    this.pending.push({ bytes: bytes.length, done })
  }

  /** The client reads: buffered frames are written out, their callbacks run. */
  flush(): void {
    for (const p of this.pending.splice(0)) {
      this.bufferedAmount -= p.bytes
      p.done?.()
    }
  }

  onMessage(cb: (bytes: Uint8Array) => void): () => void {
    this.listener = cb
    return () => { this.listener = undefined }
  }

  deliver(bytes: Uint8Array): void {
    if (this.paused) throw new Error('delivered to a paused connection')
    this.listener?.(bytes)
  }

  close(code = 1000, reason = ''): void {
    this.isOpen = false
    this.closedWith = { code, reason }
  }

  pause(): void { this.paused = true }
  resume(): void { this.paused = false }
}
