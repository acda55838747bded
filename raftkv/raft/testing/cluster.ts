// A simulated cluster of RawNodes for the randomized test: each node runs the full Ready loop
// on a MemoryStorage (persist, send, apply, advance); the network is a pool of in-flight
// messages delivered in random order, with partitions, loss and duplication; nodes crash
// (losing everything not in storage) and restart from storage. Every random choice comes
// from one seeded Prng, so a seed replays the same run.
import {
  ConfChangeType, EntryType, ErrProposalDropped, ErrSnapshotTemporarilyUnavailable, ErrStepPeerNotFound, MemoryStorage, MessageType, RawNode, StateType,
  decodeConfChange, isEmptyHardState, isEmptySnap,
  type Config, type ConfState, type HardState, type Message, type Ready, type Snapshot,
} from '../index.js'
import { SafetyChecker, SafetyViolation, entryKey } from './invariants.js'
import { Prng } from './prng.js'

/** Index and term of the snapshot every initial member starts from (TinyKV's RAFT_INIT_LOG_INDEX). */
const INIT_INDEX = 5
const INIT_TERM = 5

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface ClusterOptions {
  seed: number
  /** Number of initial members (3..5). */
  size: number
  preVote: boolean
  checkQuorum: boolean
  maxInflightMsgs?: number
  maxSizePerMsg?: number
  electionTick: number
  heartbeatTick: number
  /**
   * The state machine survives crashes (applied atomically with its index, like the KV node):
   * a restart passes Config.applied and the membership as of that index. Otherwise it is
   * rebuilt from the storage's snapshot and the committed entries after it.
   */
  durableApply: boolean
  /** How often Storage.snapshot() answers ErrSnapshotTemporarilyUnavailable. */
  snapshotBusyRate: number
  /** The application sometimes steps messages between taking a Ready and advancing it. */
  interleaveReady: boolean
  /** Leaders crash often (the scenario of the paper's Figure 8). */
  crashLeaders: boolean
  /**
   * The node's fast failover: a follower whose link to its leader closes forgets the leader
   * (reportLeaderLost) and may campaign at once. Links also close under live, healthy leaders.
   */
  leaderLost: boolean
  /**
   * Config.asyncLeaderWrites: a leader's Ready.earlyMessages go out when it takes the Ready,
   * its persist comes later (reordered with deliveries) or never (a crash in between).
   */
  asyncLeaderWrites?: boolean
}

/**
 * MemoryStorage whose ConfState can be the application's (persisted with its applied index),
 * and whose snapshot() is sometimes still being built (ErrSnapshotTemporarilyUnavailable).
 */
class SimStorage extends MemoryStorage {
  conf: number[] | undefined
  busyRate = 0

  constructor(private readonly rng: Prng) {
    super()
  }

  override snapshot(): Snapshot {
    if (this.busyRate > 0 && this.rng.chance(this.busyRate)) throw ErrSnapshotTemporarilyUnavailable
    return super.snapshot()
  }

  override initialState(): { hardState: HardState; confState: ConfState } {
    const st = super.initialState()
    return this.conf === undefined ? st : { hardState: st.hardState, confState: { nodes: this.conf } }
  }
}

/** One simulated server: its durable storage, and (while up) its RawNode and state machine. */
interface SimNode {
  id: number
  storage: SimStorage
  node: RawNode | undefined
  /** The state machine: entryKey of every applied index, keys[i - 1] for index i. */
  keys: string[]
  applied: number
  /** Membership as of the applied index. */
  conf: number[]
  restarts: number
  /** A Ready taken from the node and not yet handled (lost if the node crashes). */
  pending?: Ready
}

interface PendingRead { node: number; minIndex: number }

/** Snapshot data: the state machine's applied keys and the membership at its index. */
interface SnapState { keys: string[]; conf: number[] }

export class Cluster {
  readonly rng: Prng
  readonly checker = new SafetyChecker()
  readonly nodes = new Map<number, SimNode>()
  /** Messages sent and not yet delivered. */
  inflight: Message[] = []
  /** Partition: node -> group; messages between groups are lost. Empty when healed. */
  groups = new Map<number, number>()
  lossRate = 0
  dupRate = 0
  private nextId: number
  private nextProposal = 1
  private nextRead = 1
  private readonly reads = new Map<string, PendingRead>()
  /** Proposals some node applied: committed, so they must end up applied everywhere. */
  readonly committedProposals = new Set<string>()
  /** Nodes removed from the membership and destroyed, never to come back. */
  readonly destroyed = new Set<number>()
  /** Slow but alive nodes: id -> chaos steps left during which they neither tick, handle a Ready nor receive. */
  readonly stalled = new Map<number, number>()
  readonly stats = { leadersLost: 0, silentCampaigns: 0, stalls: 0, stepsWithLeader: 0, proposals: 0, dropped: 0, reads: 0, readsAnswered: 0, crashes: 0, snapshotsApplied: 0, confChanges: 0, transfers: 0, earlySent: 0, acksDuringWrite: 0, crashesWithWriteInFlight: 0 }

  constructor(readonly opts: ClusterOptions) {
    this.rng = new Prng(opts.seed)
    const members = Array.from({ length: opts.size }, (_, i) => i + 1)
    this.nextId = opts.size + 1
    const keys = Array.from({ length: INIT_INDEX }, () => 'boot')
    for (const id of members) {
      const storage = this.newStorage(id)
      storage.applySnapshot({
        data: encodeState({ keys, conf: members }),
        metadata: { index: INIT_INDEX, term: INIT_TERM, confState: { nodes: members } },
      })
      storage.setHardState({ term: INIT_TERM, vote: 0, commit: INIT_INDEX })
      const sim: SimNode = { id, storage, node: undefined, keys: [], applied: 0, conf: [], restarts: 0 }
      this.nodes.set(id, sim)
      this.start(sim)
    }
  }

  private newStorage(id: number): SimStorage {
    const s = new SimStorage(new Prng(this.opts.seed * 7 + id))
    s.busyRate = this.opts.snapshotBusyRate
    return s
  }

  /** Starts (or restarts) a node from what its storage (and a durable state machine) holds. */
  private start(sim: SimNode): void {
    const snap = sim.storage.snap
    const snapIndex = snap.metadata?.index ?? 0
    if (!isEmptySnap(snap)) this.observeSnapshotState(sim, snap)
    if (!this.opts.durableApply || sim.applied < snapIndex) {
      const state = isEmptySnap(snap) ? { keys: [], conf: [] } : decodeState(snap)
      sim.keys = state.keys.slice()
      sim.applied = snapIndex
      sim.conf = state.conf.slice()
    }
    sim.storage.conf = this.opts.durableApply && sim.applied > snapIndex ? sim.conf.slice() : undefined
    const c: Config = {
      id: sim.id,
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      storage: sim.storage,
      applied: sim.applied,
      rand: new Prng(this.opts.seed * 1009 + sim.id * 31 + sim.restarts).asRand(),
      preVote: this.opts.preVote,
      checkQuorum: this.opts.checkQuorum,
      asyncLeaderWrites: this.opts.asyncLeaderWrites === true,
    }
    if (this.opts.maxInflightMsgs !== undefined) c.maxInflightMsgs = this.opts.maxInflightMsgs
    if (this.opts.maxSizePerMsg !== undefined) c.maxSizePerMsg = this.opts.maxSizePerMsg
    sim.node = new RawNode(c)
  }

  // ---- views -------------------------------------------------------------------------

  live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.node !== undefined)
  }

  /** Live nodes that are not stalled: those that tick, handle Readies and take messages now. */
  active(): SimNode[] {
    return this.live().filter((n) => !this.stalled.has(n.id))
  }

  crashed(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.node === undefined)
  }

  leaders(): SimNode[] {
    return this.live().filter((n) => n.node!.raft.state === StateType.Leader)
  }

  /** The live leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined
    for (const n of this.leaders()) if (best === undefined || n.node!.raft.term > best.node!.raft.term) best = n
    return best
  }

  // ---- actions -----------------------------------------------------------------------

  tick(sim: SimNode): void {
    sim.node?.tick()
  }

  /** Persists, sends, applies and advances one Ready of the node, as an application does. */
  handleReady(sim: SimNode): void {
    if (sim.pending === undefined) this.takeReady(sim)
    this.finishReady(sim)
  }

  /** Whether the node has a Ready to take or one taken and not yet handled. */
  busy(sim: SimNode): boolean {
    return sim.pending !== undefined || (sim.node?.hasReady() ?? false)
  }

  /**
   * Takes a Ready and leaves it pending, as an application that persists asynchronously
   * does: messages may be stepped into the node before finishReady() handles it.
   */
  takeReady(sim: SimNode): void {
    if (sim.node === undefined || sim.pending !== undefined || !sim.node.hasReady()) return
    const rd = sim.node.ready()
    sim.pending = rd
    for (const m of rd.earlyMessages ?? []) {
      this.checkEarly(sim, m)
      this.send(m)
      this.stats.earlySent++
    }
  }

  /** What leaves before the persist: a current leader's appends, heartbeats and snapshots only. */
  private checkEarly(sim: SimNode, m: Message): void {
    const raft = sim.node?.raft
    const type = m.msgType ?? MessageType.MsgHup
    const ok = type === MessageType.MsgAppend || type === MessageType.MsgHeartbeat || type === MessageType.MsgSnapshot
    if (!this.opts.asyncLeaderWrites || !ok || raft?.state !== StateType.Leader || raft.term !== (m.term ?? 0)) {
      throw new SafetyViolation(`node ${sim.id} (${raft?.state}, term ${raft?.term}) sent ${MessageType[type]} of term ${m.term} before persisting`)
    }
  }

  /** Handles the pending Ready: persist, send, apply, advance. */
  finishReady(sim: SimNode): void {
    const node = sim.node
    const rd = sim.pending
    if (node === undefined || rd === undefined) return
    sim.pending = undefined
    if (!isEmptySnap(rd.snapshot)) this.applySnapshot(sim, rd.snapshot)
    if (rd.entries.length > 0) sim.storage.append(rd.entries)
    if (!isEmptyHardState(rd.hardState)) sim.storage.setHardState(rd.hardState)
    for (const m of rd.messages) {
      this.checkDurable(sim, m)
      this.send(m)
    }
    let removedSelf = false
    for (const e of rd.committedEntries) removedSelf = this.apply(sim, e, node) || removedSelf
    this.answerReads(sim, rd)
    node.advance(rd)
    if (removedSelf) this.destroy(sim.id)
  }

  /**
   * Ready's ordering: what a message promises must already be on disk when it leaves — a
   * granted vote, the entries an append carries or an append response acknowledges.
   */
  private checkDurable(sim: SimNode, m: Message): void {
    const hs = sim.storage.initialState().hardState
    const type = m.msgType ?? MessageType.MsgHup
    if (type === MessageType.MsgRequestVoteResponse && !m.reject) {
      // Honoured once the vote, or a later term (no more votes in that one), is on disk.
      const term = hs.term ?? 0
      if (term < (m.term ?? 0) || (term === (m.term ?? 0) && (hs.vote ?? 0) !== (m.to ?? 0))) {
        throw new SafetyViolation(`node ${sim.id} granted its vote to ${m.to} in term ${m.term} before persisting it (hard state ${JSON.stringify(hs)})`)
      }
    }
    const persisted = (i: number, term: number): boolean => isPersisted(sim.storage, i, term)
    // A leader's appends go out with the Ready that persists their entries. (An append queued
    // before its sender lost leadership may carry entries since overwritten: harmless, as
    // that term's leader can no longer count itself towards committing them.)
    const raft = sim.node?.raft
    const stillLeader = raft !== undefined && raft.state === StateType.Leader && raft.term === (m.term ?? 0)
    if (type === MessageType.MsgAppend && stillLeader) {
      for (const e of m.entries ?? []) {
        if (!persisted(e.index ?? 0, e.term ?? 0)) throw new SafetyViolation(`node ${sim.id} sent entry ${e.index}@${e.term} to ${m.to} before persisting it`)
      }
    }
    // An ack of entries that a newer term's leader overwrote before this Ready (the ack was
    // queued in the older term) stands for a legal history: persisted, acked, then replaced.
    const ackTermCurrent = raft === undefined || (m.term ?? 0) >= raft.term
    if (type === MessageType.MsgAppendResponse && !m.reject && ackTermCurrent && (m.index ?? 0) > sim.storage.lastIndex()) {
      throw new SafetyViolation(`node ${sim.id} acknowledged index ${m.index} to ${m.to} but persisted only up to ${sim.storage.lastIndex()}`)
    }
  }

  private applySnapshot(sim: SimNode, snap: Snapshot): void {
    const index = snap.metadata?.index ?? 0
    if (index <= sim.applied) {
      throw new SafetyViolation(`node ${sim.id}: Ready.snapshot at ${index} is not past applied ${sim.applied}`)
    }
    sim.storage.applySnapshot(snap)
    const state = decodeState(snap)
    sim.keys = state.keys.slice()
    sim.applied = index
    sim.conf = state.conf.slice()
    this.observeSnapshotState(sim, snap)
    this.stats.snapshotsApplied++
  }

  /** A snapshot's state must agree with what was applied at each of its indexes. */
  private observeSnapshotState(sim: SimNode, snap: Snapshot): void {
    const { keys } = decodeState(snap)
    const index = snap.metadata?.index ?? 0
    if (keys.length !== index) throw new SafetyViolation(`node ${sim.id}: snapshot at ${index} holds ${keys.length} entries`)
    const term = sim.node?.raft.term ?? sim.storage.initialState().hardState.term ?? 0
    keys.forEach((k, i) => this.checker.observeApply(sim.id, i + 1, k, -1, term))
  }

  /** Applies one committed entry; true when it removed the node itself. */
  private apply(sim: SimNode, e: { index?: number | null; term?: number | null; entryType?: EntryType | null; data?: Uint8Array | null }, node: RawNode): boolean {
    const index = e.index ?? 0
    if (index !== sim.applied + 1) {
      throw new SafetyViolation(`node ${sim.id}: committed entry ${index} does not follow applied ${sim.applied}`)
    }
    const key = entryKey(e)
    this.checker.observeApply(sim.id, index, key, e.term ?? 0, node.raft.term)
    sim.keys.push(key)
    sim.applied = index
    if ((e.entryType ?? EntryType.EntryNormal) === EntryType.EntryConfChange) {
      const cc = decodeConfChange(e.data ?? new Uint8Array())
      sim.conf = (node.applyConfChange(cc).nodes ?? []).slice().sort((a, b) => a - b)
      if ((cc.changeType ?? ConfChangeType.AddNode) === ConfChangeType.RemoveNode) {
        const target = cc.nodeId ?? 0
        if (target === sim.id) return true
        this.destroy(target)
      }
    } else if (e.data && e.data.length > 0) {
      this.committedProposals.add(decoder.decode(e.data))
    }
    return false
  }

  private answerReads(sim: SimNode, rd: Ready): void {
    for (const rs of rd.readStates ?? []) {
      const ctx = decoder.decode(rs.requestCtx)
      const pending = this.reads.get(ctx)
      if (pending === undefined) continue // already answered (a duplicated request)
      this.checker.checkRead(sim.id, ctx, rs.index, pending.minIndex)
      this.reads.delete(ctx)
      this.stats.readsAnswered++
    }
  }

  /** A node removed from the membership is shut down for good, as a server would. */
  private destroy(id: number): void {
    const sim = this.nodes.get(id)
    if (sim === undefined) return
    this.nodes.delete(id)
    this.destroyed.add(id)
  }

  /** Puts a message on the wire (or loses it, or doubles it). */
  send(m: Message): void {
    if (this.rng.chance(this.lossRate)) {
      this.lost(m, false)
      return
    }
    this.inflight.push(m)
    if (this.rng.chance(this.dupRate)) this.inflight.push(m)
  }

  /**
   * A message did not arrive. The sender's transport notices what a real one would: a
   * snapshot that failed to stream (reportSnapshot), and sometimes a peer it cannot reach.
   */
  lost(m: Message, unreachable: boolean): void {
    const sender = this.nodes.get(m.from ?? 0)?.node
    if (sender === undefined) return
    if (m.msgType === MessageType.MsgSnapshot) sender.reportSnapshot(m.to ?? 0, true)
    else if (unreachable && this.rng.chance(0.3)) sender.reportUnreachable(m.to ?? 0)
  }

  /** Loses the oldest undelivered messages (a congested network). */
  dropOldest(n: number): void {
    for (const m of this.inflight.splice(0, n)) this.lost(m, true)
  }

  private blocked(m: Message): boolean {
    const a = this.groups.get(m.from ?? 0)
    const b = this.groups.get(m.to ?? 0)
    return a !== undefined && b !== undefined && a !== b
  }

  /** Delivers the in-flight message at position i (or loses it to a partition or a dead peer). */
  deliver(i: number): void {
    // A stalled node takes nothing yet: what is sent to it waits on the wire.
    if (this.stalled.has(this.inflight[i]?.to ?? 0)) return
    const [m] = this.inflight.splice(i, 1)
    if (m === undefined) return
    const sim = this.nodes.get(m.to ?? 0)
    if (sim?.node === undefined || this.blocked(m)) {
      this.lost(m, true)
      return
    }
    if (m.msgType === MessageType.MsgAppendResponse && (sim.pending?.entries.length ?? 0) > 0 && sim.node.raft.state === StateType.Leader) this.stats.acksDuringWrite++
    try {
      sim.node.step(m)
    } catch (e) {
      // A response from a node outside the membership, or a forwarded proposal the leader
      // refuses, is an expected refusal; anything else is a bug.
      if (e !== ErrStepPeerNotFound && e !== ErrProposalDropped) throw e
    }
    if (m.msgType === MessageType.MsgSnapshot) this.nodes.get(m.from ?? 0)?.node?.reportSnapshot(m.to ?? 0, false)
  }

  /** Delivers a random in-flight message. */
  deliverRandom(): void {
    if (this.inflight.length > 0) this.deliver(this.rng.int(0, this.inflight.length))
  }

  propose(sim: SimNode): void {
    if (sim.node === undefined) return
    const id = `p${this.nextProposal++}`
    this.stats.proposals++
    try {
      sim.node.propose(encoder.encode(id))
    } catch (e) {
      if (e !== ErrProposalDropped) throw e
      this.stats.dropped++
    }
  }

  readIndex(sim: SimNode): void {
    if (sim.node === undefined) return
    const ctx = `r${this.nextRead++}`
    this.reads.set(ctx, { node: sim.id, minIndex: this.checker.maxCommitSeen })
    this.stats.reads++
    try {
      sim.node.readIndex(encoder.encode(ctx))
    } catch (e) {
      if (e !== ErrProposalDropped) throw e
      this.reads.delete(ctx)
    }
  }

  crash(sim: SimNode): void {
    if (sim.node === undefined) return
    if (this.opts.asyncLeaderWrites && sim.node.raft.state === StateType.Leader && (sim.pending?.entries.length ?? 0) > 0) this.stats.crashesWithWriteInFlight++
    sim.node = undefined
    sim.pending = undefined
    this.stalled.delete(sim.id)
    if (!this.opts.durableApply) {
      sim.keys = []
      sim.applied = 0
    }
    this.stats.crashes++
  }

  restart(sim: SimNode): void {
    if (sim.node !== undefined) return
    sim.restarts++
    this.start(sim)
  }

  /**
   * A network partition: a random minority cut off from the rest (so that a majority can go
   * on), the current leader cut off (alone or with one other node), or an arbitrary split.
   */
  partition(): void {
    this.groups = new Map()
    const ids = [...this.nodes.keys()]
    const mode = this.rng.next()
    if (mode < 0.3) {
      for (const id of ids) this.groups.set(id, this.rng.int(0, 2))
      return
    }
    const lead = this.leader()
    if (mode < 0.6 && lead !== undefined) {
      // The leader alone (with at most one other node): the case behind Figure 8.
      const buddy = this.rng.chance(0.5) ? this.rng.pick(ids) : lead.id
      for (const id of ids) this.groups.set(id, id === lead.id || id === buddy ? 1 : 0)
      return
    }
    const minority = this.rng.shuffle(ids).slice(0, this.rng.int(1, Math.max(2, Math.ceil(ids.length / 2))))
    for (const id of ids) this.groups.set(id, minority.includes(id) ? 1 : 0)
  }

  heal(): void {
    this.groups = new Map()
  }

  /** The leader proposes adding a fresh node or removing a member (keeping 3..5 members). */
  changeMembership(): void {
    const lead = this.leader()
    const raft = lead?.node?.raft
    if (lead === undefined || raft === undefined) return
    const members = [...raft.prs.keys()]
    const add = members.length < 5 && (members.length <= 3 || this.rng.chance(0.5))
    const cc = add
      ? { changeType: ConfChangeType.AddNode, nodeId: this.nextId }
      : { changeType: ConfChangeType.RemoveNode, nodeId: this.rng.pick(members) }
    try {
      lead.node!.proposeConfChange(cc)
    } catch (e) {
      if (e !== ErrProposalDropped) throw e
      return
    }
    this.stats.confChanges++
    if (add) {
      // The new server starts empty and outside any membership; it learns the cluster from
      // the leader's snapshot once the change is applied.
      const id = this.nextId++
      const sim: SimNode = { id, storage: this.newStorage(id), node: undefined, keys: [], applied: 0, conf: [], restarts: 0 }
      this.nodes.set(sim.id, sim)
      this.start(sim)
    }
  }

  /**
   * sim's link to `peer` closed (a crash, or a flaky link under a live leader): a follower
   * of `peer` forgets it and, when it did and `campaign`, starts a (pre-)vote at once, as
   * the node does. Returns whether the leader was forgotten.
   */
  leaderLost(sim: SimNode, peer: number, campaign: boolean): boolean {
    if (!this.opts.leaderLost || sim.node === undefined || this.stalled.has(sim.id)) return false
    if (!sim.node.reportLeaderLost(peer)) return false
    this.stats.leadersLost++
    if (campaign) sim.node.campaign()
    return true
  }

  /** The node goes slow for `steps` chaos steps: alive, its sockets open, but doing nothing. */
  stall(sim: SimNode, steps: number): void {
    if (sim.node === undefined) return
    this.stalled.set(sim.id, steps)
    this.stats.stalls++
  }

  /** One chaos step passes for the stalled nodes. */
  stepStalls(): void {
    for (const [id, left] of this.stalled) {
      if (left <= 1) this.stalled.delete(id)
      else this.stalled.set(id, left - 1)
    }
  }

  transferLeader(): void {
    const lead = this.leader()
    const raft = lead?.node?.raft
    if (lead === undefined || raft === undefined) return
    const others = [...raft.prs.keys()].filter((id) => id !== lead.id)
    if (others.length === 0) return
    this.stats.transfers++
    lead.node!.transferLeader(this.rng.pick(others))
  }

  /** The application snapshots its state at the applied index and compacts the log before it. */
  compact(sim: SimNode): void {
    const first = sim.storage.firstIndex()
    if (sim.node === undefined || sim.applied < first || sim.applied > sim.storage.lastIndex()) return
    const data = encodeState({ keys: sim.keys.slice(0, sim.applied), conf: sim.conf })
    sim.storage.createSnapshot(sim.applied, { nodes: sim.conf }, data)
    sim.storage.compact(sim.applied)
  }

  // ---- checks ------------------------------------------------------------------------

  /** `${leader}:${term}` -> the highest commit index of that leader checked durable on a quorum. */
  private readonly commitChecked = new Map<string, number>()

  /** Checks the safety properties on the cluster as it is now. */
  check(): void {
    for (const sim of this.live()) {
      const raft = sim.node!.raft
      this.checker.observeLog(sim.id, raft.raftLog)
      if (raft.state !== StateType.Leader) continue
      this.checker.checkLeader(sim.id, raft.term, raft.raftLog)
      if (this.opts.asyncLeaderWrites) this.checkSelfMatch(sim)
      this.checkCommitDurable(sim)
    }
  }

  /** Async leader writes: a leader counts itself only for entries in its storage. */
  private checkSelfMatch(sim: SimNode): void {
    const raft = sim.node!.raft
    const match = raft.prs.get(sim.id)?.match ?? 0
    let term: number
    try {
      term = raft.raftLog.term(match)
    } catch {
      return // compacted: applied, so persisted
    }
    if (!isPersisted(sim.storage, match, term)) {
      throw new SafetyViolation(`node ${sim.id}, leader of term ${raft.term}, counts itself at ${match}@${term} but its storage ends at ${sim.storage.lastIndex()}`)
    }
  }

  /**
   * The commit rule in terms of disks: once a leader moves its commit index to c, a majority
   * of its members hold entry c in storage (they survive any crash). Nodes destroyed since
   * (removed members) cannot be asked and count as holding it.
   */
  private checkCommitDurable(sim: SimNode): void {
    const raft = sim.node!.raft
    const key = `${sim.id}:${raft.term}`
    const c = raft.raftLog.committed
    const checked = this.commitChecked.get(key)
    this.commitChecked.set(key, Math.max(c, checked ?? 0))
    // What it knew committed when it became leader was committed by earlier leaders, maybe
    // under another membership: only what it commits itself is its quorum's.
    if (checked === undefined || c <= checked) return
    let term: number
    try {
      term = raft.raftLog.term(c)
    } catch {
      return
    }
    const members = [...raft.prs.keys()]
    const holders = members.filter((id) => {
      const n = this.nodes.get(id)
      return n === undefined || isPersisted(n.storage, c, term)
    })
    if (holders.length < Math.floor(members.length / 2) + 1) {
      throw new SafetyViolation(`leader ${sim.id} of term ${raft.term} committed ${c}@${term}, but only ${holders.join(',') || 'none'} of ${members.join(',')} have it on disk`)
    }
  }
}

/** Whether entry i of term `term` is in the storage (or compacted into its snapshot). */
function isPersisted(storage: MemoryStorage, i: number, term: number): boolean {
  try {
    return storage.term(i) === term
  } catch {
    return i < storage.firstIndex()
  }
}

function encodeState(s: SnapState): Uint8Array {
  return encoder.encode(JSON.stringify(s))
}

function decodeState(snap: Snapshot): SnapState {
  const parsed = JSON.parse(decoder.decode(snap.data ?? new Uint8Array())) as SnapState
  return { keys: parsed.keys, conf: parsed.conf }
}
