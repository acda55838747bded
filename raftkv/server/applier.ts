// Applies committed entries to the state machine: one atomic RocksDB batch per run of
// entries, together with the new applied index (so a crash re-applies nothing twice).
import type { Logger } from 'pino'
import { EntryType, ConfChangeType, decodeConfChange, type Entry, type RawNode } from '../raft/index.js'
import type { PeerInfo, RegionInfo, RegionLocalState } from '../storage/index.js'
import { CmdType, AdminCmdType, decodeCommand } from './commands.js'
import { peerChangeProblem } from './peer-change.js'

export interface AppliedEntry {
  index: number
  term: number
  /** Set when this node proposed the entry. */
  proposalId?: number
  /** A conf change that could not take effect (skipped on every node): why. */
  refused?: string
}

export interface ApplyResult {
  applied: AppliedEntry[]
  /** The membership after this run, when a conf change applied. */
  region?: RegionInfo
  /** A conf change in this run removed this node from the membership. */
  removedSelf?: boolean
}

/** The effects of a run of entries, written at once (storage's ApplyBatch). */
export interface ApplyWrites {
  put(key: Uint8Array, value: Uint8Array): unknown
  delete(key: Uint8Array): unknown
  setRegion(region: RegionInfo): unknown
  compactLog(index: number, term: number): unknown
}

/** What the applier needs of the storage (PeerStorage). */
export interface ApplyStore {
  readonly regionState: RegionLocalState
  readonly appliedIndex: number
  readonly truncatedIndex: number
  newApplyBatch(): ApplyWrites
  /** Writes the batch and the new applied index atomically (and `commit`, when above the persisted one). */
  commitApply(batch: ApplyWrites, appliedIndex: number, commit?: number): void
}

export class Applier {
  constructor(
    private readonly nodeId: number,
    private readonly storage: ApplyStore,
    private readonly rawNode: Pick<RawNode, 'applyConfChange'>,
    private readonly log: Logger,
  ) {}

  /** Applies a run of entries in one batch; `commit` (if set) is persisted with it (it covers them). */
  apply(entries: readonly Entry[], commit?: number): ApplyResult {
    const batch = this.storage.newApplyBatch()
    const result: ApplyResult = { applied: [] }
    let region: RegionInfo = this.storage.regionState.region
    for (const e of entries) {
      const index = e.index ?? 0
      const term = e.term ?? 0
      const applied: AppliedEntry = { index, term }
      result.applied.push(applied)
      if (e.entryType === EntryType.EntryConfChange) {
        const next = this.applyConfChange(e, region, applied)
        if (next) {
          region = next
          batch.setRegion(region)
          result.region = region
          if (!region.peers.some((p) => p.id === this.nodeId)) result.removedSelf = true
        }
        continue
      }
      if (!e.data || e.data.length === 0) continue // a leader's no-op
      let cmd
      try {
        cmd = decodeCommand(e.data)
      } catch (err) {
        this.log.error({ index, err }, 'skipping an undecodable entry')
        continue
      }
      if ((cmd.header?.peerId ?? 0) === this.nodeId) applied.proposalId = cmd.header?.proposalId ?? 0
      for (const req of cmd.requests) {
        if (req.cmdType === CmdType.Put && req.put?.key) {
          batch.put(req.put.key, req.put.value ?? new Uint8Array(0))
        } else if (req.cmdType === CmdType.Delete && req.delete?.key) {
          batch.delete(req.delete.key)
        }
      }
      const admin = cmd.adminRequest
      if (admin?.cmdType === AdminCmdType.CompactLog && admin.compactLog) {
        const ci = admin.compactLog.compactIndex ?? 0
        const ct = admin.compactLog.compactTerm ?? 0
        if (ci > this.storage.truncatedIndex && ci <= index) batch.compactLog(ci, ct)
      }
    }
    const last = entries.length > 0 ? entries[entries.length - 1]!.index ?? 0 : this.storage.appliedIndex
    this.storage.commitApply(batch, last, commit)
    return result
  }

  private applyConfChange(e: Entry, region: RegionInfo, applied: AppliedEntry): RegionInfo | undefined {
    let cc
    try {
      cc = decodeConfChange(e.data ?? new Uint8Array(0))
    } catch (err) {
      this.log.error({ index: e.index, err }, 'skipping an undecodable conf change')
      return undefined
    }
    let addr = ''
    if (cc.context && cc.context.length > 0) {
      try {
        const cmd = decodeCommand(cc.context)
        addr = cmd.adminRequest?.changePeer?.peer?.addr ?? ''
        if ((cmd.header?.peerId ?? 0) === this.nodeId) applied.proposalId = cmd.header?.proposalId ?? 0
      } catch (err) {
        this.log.warn({ index: e.index, err }, 'conf change context does not decode')
      }
    }
    const id = cc.nodeId ?? 0
    const change = cc.changeType === ConfChangeType.RemoveNode ? 'remove' : 'add'
    // Decided from the entry and the replicated membership only, so every node refuses
    // (and skips) the same entries: raft's view and the region stay as they were.
    const problem = peerChangeProblem(change, { id, addr }, region.peers)
    if (problem !== undefined) {
      applied.refused = problem
      this.log.warn({ event: 'conf-change-refused', index: e.index, change, peer: id, addr: addr.slice(0, 80), reason: problem }, `committed conf change refused: ${problem}`)
      return undefined
    }
    this.rawNode.applyConfChange(cc)
    let peers: PeerInfo[]
    if (cc.changeType === ConfChangeType.RemoveNode) {
      peers = region.peers.filter((p) => p.id !== id)
    } else {
      peers = region.peers.filter((p) => p.id !== id).concat([{ id, addr: addr || region.peers.find((p) => p.id === id)?.addr || '' }])
      peers.sort((a, b) => a.id - b.id)
    }
    this.log.info({ event: 'conf-change', index: e.index, change, peer: id, addr }, 'conf change applied')
    return { ...region, confVer: region.confVer + 1, peers }
  }
}
