// The raft driver loop of a node (TinyKV's raftstore, in one thread): a tick timer,
// proposals and reads queued by the services, and Ready handling in the order of
// ready-plan.ts — a leader's early appends, persist (one synced batch), send, apply (one
// atomic batch, with the commit index), answer, advance.
import type { Logger } from 'pino'
import {
  ConfChangeType, ErrProposalDropped, ErrStepPeerNotFound, MessageType, None, StateType, isEmptySnap, stateName,
  type Entry, type Message, type RawNode, type Ready,
} from '../raft/index.js'
import type { PeerStorage } from '../storage/index.js'
import type { PeerTransport } from '../transport/index.js'
import { Applier, type ApplyStore } from './applier.js'
import { ProposalTracker, type ProposalOutcome } from './proposals.js'
import { ReadQueue, type ReadOutcome } from './reads.js'
import { encodeWrite, encodeAdmin, encodeConfChangeEntry, AdminCmdType, type WriteOp } from './commands.js'
import { MAX_PENDING_PROPOSALS } from './limits.js'
import { NODE_DEFAULTS } from './node-defaults.js'
import { planReady } from './ready-plan.js'
import { compactLogIndex } from './log-gc-policy.js'
import { peerChangeProblem } from './peer-change.js'
import { traceStep } from './step-trace.js'
import { leaderSilent, survivorRank } from './silent-leader.js'

/**
 * Fast failover: the survivors of a lost leader campaign this far apart (by rank), plus a
 * jitter, the first after FAILOVER_FIRST_MS: the others notice the loss some ms apart
 * (their own probes), and a pre-vote that reaches one still holding the leader's lease is
 * refused (seen in bench:kv: rank 0 campaigned 1 ms after noticing, 7 ms before the other
 * survivor did, lost, and rank 1 won 100 ms later).
 */
const FAILOVER_FIRST_MS = 20
const FAILOVER_STAGGER_MS = 100
const FAILOVER_JITTER_MS = 10

export type WriteOutcome = ProposalOutcome | { ok: false; reason: 'not-leader' | 'busy' } | { ok: false; reason: 'invalid'; detail: string }

/** What the driver (and the KV service reading through it) needs of the storage (PeerStorage). */
export type DriverStorage = ApplyStore & Pick<PeerStorage, 'lastIndex' | 'saveReadyState' | 'logByteSize' | 'get' | 'scanBounded' | 'engineMemory' | 'snapshotWanted' | 'generatePendingSnapshot'>
/** What the driver needs of the peer transport (PeerTransport). */
export type DriverPeers = Pick<PeerTransport, 'onMessages' | 'onUnreachable' | 'onPeerLost' | 'send' | 'setPeers'>

export interface DriverOptions {
  nodeId: number
  tickMs: number
  log: Logger
  /**
   * A storage failure inside the loop leaves raft and disk in an unknown relation: the
   * driver stops and calls this (the node command exits 70). Without it, it logs and stays stopped.
   */
  onFatal?: (err: unknown) => void
  /** Log GC: propose CompactLog once applied - truncated reaches this many entries. */
  gcCountLimit?: number
  /** Log GC: or once the log holds this many bytes. */
  gcSizeLimit?: number
  /** Takes the MsgSnapshot messages: their state goes over /snapshot, not /raft. */
  sendSnapshot?: (m: Message) => void
  /** A conf change removing this node applied (called from the loop; the node retires). */
  onRemovedSelf?: (index: number) => void
}

interface QueuedWrite {
  op: WriteOp
  deadline: number
  done: (o: WriteOutcome) => void
}

export class RaftDriver {
  readonly proposals = new ProposalTracker()
  readonly reads = new ReadQueue()
  readonly counters = {
    readyHandled: 0, entriesPersisted: 0, entriesApplied: 0, messagesSent: 0, messagesReceived: 0,
    proposals: 0, proposalsDropped: 0, readIndexRequests: 0, stepErrors: 0, leaderChanges: 0, compactLogProposed: 0,
  }
  /** Largest gap between two messages from the leader seen as a follower (ms), and when the last came. */
  leaderGapMaxMs = 0
  private lastLeaderContact = 0
  /** Index of the CompactLog proposed last (no new one until it applied or was lost). */
  private pendingCompact = 0
  private pendingCompactAt = 0
  private queue: QueuedWrite[] = []
  private timer: NodeJS.Timeout | undefined
  /** The loop in progress, if any: one Ready at a time. */
  private active: Promise<void> | undefined
  private rerun = false
  private scheduled = false
  private stopped = false
  /** Retired (this node was removed): requests get NOT_LEADER, not "stopping". */
  private retired = false
  private readonly applier: Applier
  private readonly log: Logger
  private lastLead = 0

  constructor(
    readonly rawNode: RawNode,
    readonly storage: DriverStorage,
    private readonly peers: DriverPeers,
    private readonly opts: DriverOptions,
  ) {
    this.log = opts.log
    this.applier = new Applier(opts.nodeId, storage, rawNode, opts.log)
  }

  start(): void {
    this.peers.onMessages((msgs) => this.stepMessages(msgs))
    this.peers.onUnreachable((id) => {
      this.rawNode.reportUnreachable(id)
      this.schedule()
    })
    this.peers.onPeerLost((id) => this.onPeerLost(id))
    this.timer = setInterval(() => this.onTick(), this.opts.tickMs)
    this.schedule()
  }

  /**
   * The leader's link closed and its address refuses connections: its process is gone.
   * Forget it (and its lease: we grant votes from now on) and campaign without waiting out
   * the election timeout. The survivors go one after the other, by their rank among the
   * voters, so that their pre-votes do not split; PreVote keeps a live leader in place.
   */
  private onPeerLost(id: number): void {
    if (this.stopped || !this.rawNode.reportLeaderLost(id)) return
    const raft = this.rawNode.raft
    this.schedule()
    if (!raft.preVote) return
    const term = raft.term
    const rank = Math.max(0, survivorRank(raft.prs.keys(), id, this.opts.nodeId))
    const delayMs = FAILOVER_FIRST_MS + rank * FAILOVER_STAGGER_MS + Math.random() * FAILOVER_JITTER_MS
    this.log.info({ event: 'leader-lost', leader: id, term, delayMs: Math.round(delayMs) }, `leader ${id} is gone: campaigning in ${Math.round(delayMs)} ms`)
    setTimeout(() => {
      const r = this.rawNode.raft
      if (this.stopped || r.term !== term || r.lead !== None || r.state !== StateType.Follower) return
      this.rawNode.campaign()
      this.schedule()
    }, delayMs)
  }

  /** A hung leader (its sockets open, nothing from it for an election timeout): see silent-leader.ts. */
  private campaignIfLeaderSilent(): void {
    const r = this.rawNode.raft
    const view = { state: r.state, lead: r.lead, electionElapsed: r.electionElapsed, electionTimeout: r.electionTimeout, preVote: r.preVote, voters: r.prs.keys() }
    if (this.stopped || !leaderSilent(view, this.opts.nodeId)) return
    this.log.info({ event: 'leader-silent', leader: r.lead, term: r.term, ticks: r.electionElapsed },
      `nothing from leader ${r.lead} for ${r.electionElapsed} ticks: campaigning`)
    this.rawNode.campaign()
  }

  /** Stops ticking, waits for the Ready in progress, fails everything still waiting. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.active
    for (const q of this.queue.splice(0)) q.done({ ok: false, reason: this.retired ? 'not-leader' : 'stopped' })
    this.proposals.failAll('stopped')
    this.reads.failAll('stopped')
  }

  /** This node was removed from the cluster: stop for good, answer requests NOT_LEADER. */
  async retire(): Promise<void> {
    this.retired = true
    await this.stop()
  }

  get isLeader(): boolean {
    return this.rawNode.basicStatus().raftState === StateType.Leader
  }

  get leaderId(): number {
    return this.rawNode.basicStatus().lead
  }

  /** Queues a write; it is proposed with the others of this round as one batch. */
  write(op: WriteOp, deadline: number, done: (o: WriteOutcome) => void): void {
    if (this.stopped) return done({ ok: false, reason: this.retired ? 'not-leader' : 'stopped' })
    if (!this.isLeader) return done({ ok: false, reason: 'not-leader' })
    if (this.queue.length + this.proposals.size >= MAX_PENDING_PROPOSALS) return done({ ok: false, reason: 'busy' })
    this.queue.push({ op, deadline, done })
    this.schedule()
  }

  /** Queues a linearizable read; `done({ok: true})` runs once it may read the state machine. */
  read(deadline: number, done: (o: ReadOutcome) => void): void {
    if (this.stopped) return done({ ok: false, reason: this.retired ? 'not-leader' : 'stopped' })
    if (!this.isLeader) return done({ ok: false, reason: 'not-leader' })
    this.reads.enqueue({ deadline, done })
    this.schedule()
  }

  /** Proposes a membership change; resolves once applied (or fails). */
  changePeer(changeType: ConfChangeType, peer: { id: number; addr: string }, deadline: number, done: (o: WriteOutcome) => void): void {
    if (this.stopped) return done({ ok: false, reason: this.retired ? 'not-leader' : 'stopped' })
    if (!this.isLeader) return done({ ok: false, reason: 'not-leader' })
    const problem = peerChangeProblem(changeType === ConfChangeType.RemoveNode ? 'remove' : 'add', peer, this.storage.regionState.region.peers)
    if (problem !== undefined) return done({ ok: false, reason: 'invalid', detail: problem })
    const pid = this.proposals.newId()
    let at
    try {
      at = this.rawNode.proposeConfChange(encodeConfChangeEntry({ peerId: this.opts.nodeId, proposalId: pid }, changeType, peer))
    } catch (e) {
      if (e === ErrProposalDropped) return done({ ok: false, reason: 'dropped' })
      throw e
    }
    this.proposals.track(pid, at.index, at.term, deadline, done)
    this.schedule()
  }

  transferLeader(to: number): void {
    this.rawNode.transferLeader(to)
    this.schedule()
  }

  schedule(): void {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.run()
    })
  }

  private onTick(): void {
    this.rawNode.tick()
    this.campaignIfLeaderSilent()
    this.maybeCompactLog()
    const now = Date.now()
    this.proposals.expire(now)
    this.reads.expire(now)
    for (const q of this.queue) if (q.deadline <= now) q.done({ ok: false, reason: 'timeout' })
    this.queue = this.queue.filter((q) => q.deadline > now)
    this.schedule()
  }

  /** Log GC (leader): proposes CompactLog when the policy (log-gc-policy.ts) says so. */
  private maybeCompactLog(): void {
    const isLeader = this.isLeader
    if (!isLeader) return
    const applied = this.storage.appliedIndex
    const truncated = this.storage.truncatedIndex
    const followerMatches: number[] = []
    for (const [id, pr] of this.rawNode.getProgress()) if (id !== this.opts.nodeId) followerMatches.push(pr.match)
    const compactIndex = compactLogIndex({
      isLeader, applied, truncated, logBytes: this.storage.logByteSize, followerMatches,
      countLimit: this.opts.gcCountLimit ?? NODE_DEFAULTS.raftLogGcCountLimit,
      sizeLimit: this.opts.gcSizeLimit ?? NODE_DEFAULTS.raftLogGcSizeLimit,
      pendingCompact: this.pendingCompact, pendingCompactAgeMs: Date.now() - this.pendingCompactAt,
    })
    if (compactIndex === 0) return
    let compactTerm: number
    try {
      compactTerm = this.rawNode.term(compactIndex)
    } catch {
      return
    }
    try {
      this.rawNode.propose(encodeAdmin({ peerId: this.opts.nodeId, proposalId: 0 }, {
        cmdType: AdminCmdType.CompactLog, compactLog: { compactIndex, compactTerm },
      }))
    } catch (e) {
      if (e === ErrProposalDropped) return
      throw e
    }
    this.pendingCompact = compactIndex
    this.pendingCompactAt = Date.now()
    this.counters.compactLogProposed++
    this.log.debug({ event: 'compact-log-proposed', compactIndex, compactTerm, applied, truncated }, 'proposed CompactLog')
  }

  /** Steps the MsgSnapshot of a snapshot received over /snapshot (it does not come over /raft). */
  stepReceivedSnapshot(m: Message): void {
    this.stepMessages([m])
  }

  /** Reports how a snapshot transfer to a peer ended. */
  reportSnapshot(peer: number, failed: boolean): void {
    if (this.stopped) return
    this.rawNode.reportSnapshot(peer, failed)
    this.schedule()
  }

  private stepMessages(msgs: Message[]): void {
    if (this.stopped) return
    traceStep('messages')
    for (const m of msgs) {
      this.counters.messagesReceived++
      if ((m.msgType === MessageType.MsgHeartbeat || m.msgType === MessageType.MsgAppend) && m.from === this.leaderId && !this.isLeader) {
        const now = performance.now()
        if (this.lastLeaderContact > 0) this.leaderGapMaxMs = Math.max(this.leaderGapMaxMs, now - this.lastLeaderContact)
        this.lastLeaderContact = now
      }
      try {
        this.rawNode.step(m)
      } catch (e) {
        this.counters.stepErrors++
        if (e !== ErrStepPeerNotFound) this.log.warn({ err: e, type: m.msgType, from: m.from }, 'step failed')
      }
    }
    this.schedule()
  }

  /** Runs the loop, or asks the running one to go round once more. */
  private run(): Promise<void> {
    if (this.active) {
      this.rerun = true
      return this.active
    }
    this.active = this.loop().finally(() => {
      this.active = undefined
    })
    return this.active
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.rerun = false
        // A snapshot raft asked for is made here, between two Readys: the engine is
        // closed for a moment to copy it, and nothing else in the node uses it meanwhile.
        // Checked first: an await of its own every round would cost the write path a turn.
        if (this.storage.snapshotWanted) await this.storage.generatePendingSnapshot()
        this.flushWrites()
        this.flushReads()
        while (!this.stopped && this.rawNode.hasReady()) await this.handleReady()
      } while (this.rerun && !this.stopped)
    } catch (err) {
      // A storage failure leaves raft and disk in an unknown relation: nothing more may run.
      this.stopped = true
      if (this.timer) clearInterval(this.timer)
      this.log.fatal({ err }, 'raft driver failed')
      this.opts.onFatal?.(err)
    }
  }

  private flushWrites(): void {
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    if (!this.isLeader) {
      for (const q of batch) q.done({ ok: false, reason: 'not-leader' })
      return
    }
    const ids = batch.map(() => this.proposals.newId())
    const datas = batch.map((q, i) => encodeWrite({ peerId: this.opts.nodeId, proposalId: ids[i]! }, q.op))
    let at
    try {
      at = this.rawNode.proposeBatch(datas)
    } catch (e) {
      if (e !== ErrProposalDropped) throw e
      this.counters.proposalsDropped += batch.length
      for (const q of batch) q.done({ ok: false, reason: 'not-leader' })
      return
    }
    this.counters.proposals += batch.length
    batch.forEach((q, i) => this.proposals.track(ids[i]!, at.index + i, at.term, q.deadline, q.done, true))
  }

  private flushReads(): void {
    const ctx = this.reads.takeBatch()
    if (!ctx) return
    this.counters.readIndexRequests++
    this.rawNode.readIndex(ctx)
  }

  /**
   * Carries out one Ready in the order ready-plan.ts decides: as leader, the early appends
   * go out, then the write, and advance() reports it (raft then counts the leader's own
   * entries); committed entries already on disk are applied, and answered, first. A
   * follower writes and acks new entries before it applies anything.
   */
  private async handleReady(): Promise<void> {
    const rd = this.rawNode.ready()
    this.counters.readyHandled++
    if (rd.softState) this.noteRole(rd.softState.raftState, rd.softState.lead)
    const committed = rd.committedEntries
    const early = rd.earlyMessages ?? []
    const leading = this.rawNode.raft.state === StateType.Leader
    const plan = planReady({
      persistedLastIndex: this.storage.lastIndex(),
      firstNewIndex: rd.entries.length > 0 ? rd.entries[0]!.index ?? 0 : 0,
      hasSnapshot: !isEmptySnap(rd.snapshot),
      committedIndexes: committed.map((e) => e.index ?? 0),
      hardState: rd.hardState,
      hasEarlyMessages: early.length > 0,
      leader: leading,
    })
    traceStep('ready', leading)
    for (const step of plan) {
      traceStep(step.kind)
      switch (step.kind) {
        case 'apply':
          this.applyEntries(step.start === 0 && step.end === committed.length ? committed : committed.slice(step.start, step.end), step.commit)
          break
        case 'send-early':
          this.sendMessages(early)
          break
        case 'persist':
          await this.storage.saveReadyState({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot })
          this.counters.entriesPersisted += rd.entries.length
          break
        case 'send':
          this.sendMessages(rd.messages)
          break
        case 'advance':
          this.advance(rd)
          break
      }
    }
    traceStep('ready-done')
    // Check the log size as it grows, not only on ticks, so that it stays bounded under load.
    if (committed.length > 0) this.maybeCompactLog()
  }

  private sendMessages(messages: Message[]): void {
    if (messages.length === 0) return
    let msgs = messages
    if (this.opts.sendSnapshot && msgs.some((m) => m.msgType === MessageType.MsgSnapshot)) {
      for (const m of msgs) if (m.msgType === MessageType.MsgSnapshot) this.opts.sendSnapshot(m)
      msgs = msgs.filter((m) => m.msgType !== MessageType.MsgSnapshot)
    }
    this.peers.send(msgs)
    this.counters.messagesSent += msgs.length
  }

  private advance(rd: Ready): void {
    for (const rs of rd.readStates) this.reads.answered(rs.requestCtx, rs.index)
    this.rawNode.advance(rd)
    this.reads.serve(this.storage.appliedIndex)
  }

  private applyEntries(entries: readonly Entry[], commit?: number): void {
    // Committed: their writers are answered before the apply (see proposals.ts).
    if (this.proposals.size > 0) for (const e of entries) this.proposals.committed(e.index ?? 0, e.term ?? 0)
    const result = this.applier.apply(entries, commit)
    this.counters.entriesApplied += entries.length
    for (const a of result.applied) this.proposals.applied(a.index, a.term, a.proposalId, a.refused)
    if (result.region) {
      // A peer added without an address cannot be dialed: it dials us (or waits for one).
      this.peers.setPeers(new Map(result.region.peers.filter((p) => p.id !== this.opts.nodeId && p.addr).map((p) => [p.id, p.addr])))
    }
    if (result.removedSelf) this.opts.onRemovedSelf?.(result.applied[result.applied.length - 1]?.index ?? 0)
    // Reads waiting for this apply can run now.
    this.reads.serve(this.storage.appliedIndex)
  }

  private noteRole(role: StateType, lead: number): void {
    this.lastLeaderContact = 0
    if (role !== StateType.Leader) {
      this.reads.failUnanswered('not-leader')
    }
    if (lead !== this.lastLead) {
      this.counters.leaderChanges++
      this.lastLead = lead
    }
    this.log.info({ event: 'role-changed', role: stateName(role), leader: lead, term: this.rawNode.basicStatus().term }, 'raft role changed')
  }
}
