// Raft: one peer's consensus state machine. Time enters only through tick(), input only
// through step(); output piles up in `msgs` and the RaftLog for RawNode to hand out.
import type { Entry, HardState, Message } from './types.js'
import { MessageType, None, makeEntry, makeMessage, isEmptySnap } from './types.js'
import { type Config, type RaftLogger, validateConfig, seededRand } from './config.js'
import { RaftLog } from './raft-log.js'
import { Progress } from './tracker/progress.js'
import { committedIndex, quorumSize, voteResult, type VoteResult } from './quorum/majority.js'
import { ReadOnly, type ReadState } from './read-only.js'
import { StateType } from './state-type.js'
import { ErrCompacted, ErrSnapshotTemporarilyUnavailable, ErrUnavailable, InvalidConfigError } from './errors.js'
import { stepLeader } from './step-leader.js'
import { stepCandidate } from './step-candidate.js'
import { stepFollower } from './step-follower.js'
import { isValidMessage } from './validate-message.js'

export { StateType }

export interface SoftState {
  lead: number
  raftState: StateType
}

/** Vote requests carrying this context come from a leadership transfer and bypass the leader lease. */
export const campaignTransferCtx = new TextEncoder().encode('CampaignTransfer')

const nopLogger: RaftLogger = { debug() {}, info() {}, warn() {} }

export class Raft {
  id: number
  term = 0
  vote = None
  lead = None
  state: StateType = StateType.Follower
  raftLog: RaftLog
  /** Every peer's progress, self included. Rebuilt (same keys) on every role change. */
  prs = new Map<number, Progress>()
  votes = new Map<number, boolean>()
  /** Outbox: messages to send. RawNode.ready() takes them; tests read and clear it. */
  msgs: Message[] = []
  heartbeatTimeout: number
  /** Base election timeout in ticks; the effective one is randomized in [e, 2e). */
  electionTimeout: number
  randomizedElectionTimeout = 0
  heartbeatElapsed = 0
  electionElapsed = 0
  /** The peer leadership is being transferred to, or None. */
  leadTransferee = None
  /** Only one conf change may be pending: its index, until applied. */
  pendingConfIndex = 0
  readStates: ReadState[] = []

  readonly preVote: boolean
  readonly checkQuorum: boolean
  readonly maxInflight: number
  readonly maxMsgSize: number
  /** Config.asyncLeaderWrites: the leader's own match follows its persisted log, not its appended one. */
  readonly asyncLeaderWrites: boolean
  /** Flow control (probe pausing, optimistic replication, inflights) is on. */
  readonly flowControl: boolean
  readOnly = new ReadOnly()
  /** Read requests received before this leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = []
  readonly logger: RaftLogger
  private readonly rand: () => number

  constructor(c: Config, raftLog: RaftLog) {
    this.id = c.id
    this.raftLog = raftLog
    this.heartbeatTimeout = c.heartbeatTick
    this.electionTimeout = c.electionTick
    this.preVote = c.preVote === true
    this.checkQuorum = c.checkQuorum === true
    this.maxInflight = c.maxInflightMsgs ?? 0
    this.flowControl = this.maxInflight > 0
    this.maxMsgSize = c.maxSizePerMsg ?? Infinity
    this.asyncLeaderWrites = c.asyncLeaderWrites === true
    this.rand = c.rand ?? seededRand(c.id)
    this.logger = c.logger ?? nopLogger
  }

  // ---- state ----

  softState(): SoftState {
    return { lead: this.lead, raftState: this.state }
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed }
  }

  /** Whether this peer may campaign: it is a voter and has no snapshot pending. */
  promotable(): boolean {
    return this.prs.has(this.id)
  }

  private newProgress(id: number, last: number): Progress {
    return new Progress({ match: id === this.id ? this.selfMatch(last) : 0, next: last + 1, maxInflight: this.maxInflight || 1 })
  }

  /**
   * How far this peer's own log counts towards a quorum: all of it, or with async leader
   * writes only what is known persisted (a peer may become leader holding unstable entries).
   */
  private selfMatch(last: number): number {
    return this.asyncLeaderWrites ? Math.min(last, this.raftLog.stabled) : last
  }

  /** Resets the per-term state; progress entries are rebuilt for the same peers. */
  reset(term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = None
    }
    this.lead = None
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.leadTransferee = None
    this.votes = new Map()
    const last = this.raftLog.lastIndex()
    const ids = [...this.prs.keys()]
    this.prs = new Map()
    for (const id of ids) this.prs.set(id, this.newProgress(id, last))
    this.pendingConfIndex = 0
    this.readOnly = new ReadOnly()
    this.pendingReadIndexMessages = []
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.rand() * this.electionTimeout)
  }

  becomeFollower(term: number, lead: number): void {
    this.reset(term)
    this.lead = lead
    this.state = StateType.Follower
    this.logger.info(`${this.id} became follower at term ${this.term}`)
  }

  becomeCandidate(): void {
    if (this.state === StateType.Leader) this.logger.warn(`${this.id} invalid transition [leader -> candidate]`)
    this.reset(this.term + 1)
    this.vote = this.id
    this.state = StateType.Candidate
    this.votes.set(this.id, true)
    this.logger.info(`${this.id} became candidate at term ${this.term}`)
  }

  /** Pre-vote phase: neither the term nor the vote changes. */
  becomePreCandidate(): void {
    this.votes = new Map()
    this.lead = None
    this.state = StateType.PreCandidate
    this.votes.set(this.id, true)
    this.logger.info(`${this.id} became pre-candidate at term ${this.term}`)
  }

  becomeLeader(): void {
    if (this.state === StateType.Follower) this.logger.warn(`${this.id} invalid transition [follower -> leader]`)
    this.reset(this.term)
    this.lead = this.id
    this.state = StateType.Leader
    const self = this.prs.get(this.id)
    if (self) {
      self.becomeReplicate()
      self.recentActive = true
    }
    // No conf change until this leader has committed an entry of its own term.
    this.pendingConfIndex = this.raftLog.lastIndex()
    this.appendEntry([makeEntry({})])
    this.logger.info(`${this.id} became leader at term ${this.term}`)
  }

  /**
   * The application lost its link to the leader (the socket closed and a redial failed):
   * a follower forgets it, and so its leader lease, and grants votes from now on. Only
   * *when* an election may start depends on this; PreVote keeps a healthy leader in place
   * (the peers that still hear it refuse). Returns whether the leader was forgotten.
   */
  forgetLeader(id: number): boolean {
    if (this.state !== StateType.Follower || this.lead === None || this.lead !== id) return false
    this.logger.info(`${this.id} [term ${this.term}] lost its link to leader ${id} and forgets it`)
    this.lead = None
    return true
  }

  // ---- time ----

  tick(): void {
    if (this.state === StateType.Leader) this.tickHeartbeat()
    else this.tickElection()
  }

  private tickElection(): void {
    this.electionElapsed++
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0
      this.step({ msgType: MessageType.MsgHup, from: this.id })
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0
      if (this.checkQuorum) this.step({ msgType: MessageType.MsgCheckQuorum, from: this.id })
      if (this.state === StateType.Leader && this.leadTransferee !== None) this.abortLeaderTransfer()
    }
    if (this.state !== StateType.Leader) return
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0
      this.step({ msgType: MessageType.MsgBeat, from: this.id })
    }
  }

  // ---- input ----

  /** Feeds a message in. Throws ErrProposalDropped when a proposal cannot be taken. */
  step(m: Message): void {
    if (!isValidMessage(m)) {
      this.logger.warn(`${this.id} ignored a malformed message`)
      return
    }
    const mterm = m.term ?? 0
    const type = m.msgType ?? MessageType.MsgHup
    if (mterm === 0) {
      // local message
    } else if (mterm > this.term) {
      if (type === MessageType.MsgRequestVote || type === MessageType.MsgRequestPreVote) {
        const force = isTransferCtx(m.context)
        const inLease = this.checkQuorum && this.lead !== None && this.electionElapsed < this.electionTimeout
        if (!force && inLease) {
          // A leader heard from recently: ignore disruptive votes (leader lease).
          return
        }
      }
      if (type === MessageType.MsgRequestPreVote) {
        // Never change our term in response to a pre-vote.
      } else if (type === MessageType.MsgRequestPreVoteResponse && !m.reject) {
        // A granted pre-vote carries the future term; we bump it when the pre-vote wins.
      } else if (type === MessageType.MsgAppend || type === MessageType.MsgHeartbeat || type === MessageType.MsgSnapshot) {
        this.becomeFollower(mterm, m.from ?? None)
      } else {
        this.becomeFollower(mterm, None)
      }
    } else if (mterm < this.term) {
      if (type === MessageType.MsgAppend) {
        // Tell a stale leader about our term so that it steps down.
        this.send({ to: m.from ?? None, msgType: MessageType.MsgAppendResponse, reject: true })
      } else if (type === MessageType.MsgHeartbeat) {
        this.send({ to: m.from ?? None, msgType: MessageType.MsgHeartbeatResponse })
      } else if (type === MessageType.MsgRequestPreVote) {
        this.send({ to: m.from ?? None, term: this.term, msgType: MessageType.MsgRequestPreVoteResponse, reject: true })
      }
      // Anything else from an older term is ignored.
      return
    }

    switch (type) {
      case MessageType.MsgHup:
        this.hup(isTransferCtx(m.context))
        return
      case MessageType.MsgRequestVote:
      case MessageType.MsgRequestPreVote:
        this.handleVoteRequest(m)
        return
    }
    switch (this.state) {
      case StateType.Leader: stepLeader(this, m); break
      case StateType.Candidate:
      case StateType.PreCandidate: stepCandidate(this, m); break
      default: stepFollower(this, m); break
    }
  }

  private hup(transfer: boolean): void {
    if (this.state === StateType.Leader) return
    if (!this.promotable()) {
      this.logger.warn(`${this.id} is not a voter and cannot campaign`)
      return
    }
    if (this.preVote && !transfer) this.campaign('pre')
    else this.campaign(transfer ? 'transfer' : 'election')
  }

  /** Starts an election (or a pre-vote round). */
  campaign(kind: 'pre' | 'election' | 'transfer'): void {
    let term: number
    let voteType: MessageType
    if (kind === 'pre') {
      this.becomePreCandidate()
      voteType = MessageType.MsgRequestPreVote
      term = this.term + 1
    } else {
      this.becomeCandidate()
      voteType = MessageType.MsgRequestVote
      term = this.term
    }
    const result = voteResult(this.prs.keys(), this.votes)
    if (result === 'won') {
      if (kind === 'pre') this.campaign('election')
      else this.becomeLeaderAndAnnounce()
      return
    }
    const lastIndex = this.raftLog.lastIndex()
    const lastTerm = this.raftLog.lastTerm()
    for (const id of this.prs.keys()) {
      if (id === this.id) continue
      this.logger.debug(`${this.id} [term ${this.term}] sent ${MessageType[voteType]} to ${id}`)
      this.send({
        to: id, term, msgType: voteType, index: lastIndex, logTerm: lastTerm,
        context: kind === 'transfer' ? campaignTransferCtx : undefined,
      })
    }
  }

  becomeLeaderAndAnnounce(): void {
    this.becomeLeader()
    this.bcastAppend()
  }

  /** Records a vote (response) and tallies. */
  poll(id: number, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted)
    return voteResult(this.prs.keys(), this.votes)
  }

  private handleVoteRequest(m: Message): void {
    const from = m.from ?? None
    const isPre = m.msgType === MessageType.MsgRequestPreVote
    const respType = isPre ? MessageType.MsgRequestPreVoteResponse : MessageType.MsgRequestVoteResponse
    const canVote = this.vote === from ||
      (this.vote === None && this.lead === None) ||
      (isPre && (m.term ?? 0) > this.term)
    if (canVote && this.raftLog.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      // A granted pre-vote answers in the candidate's future term.
      this.send({ to: from, term: m.term ?? 0, msgType: respType })
      if (!isPre) {
        this.electionElapsed = 0
        this.vote = from
      }
    } else {
      this.send({ to: from, term: this.term, msgType: respType, reject: true })
    }
  }

  // ---- output ----

  /**
   * Queues a message: from is this peer, term is ours (except for vote messages, which
   * carry theirs, and forwarded proposals / reads, which are local and carry none).
   */
  send(f: Message): void {
    const m = makeMessage({})
    const t = f.msgType ?? MessageType.MsgHup
    if (t) m.msgType = t
    if (f.to) m.to = f.to
    m.from = f.from || this.id
    const keepsOwnTerm = t === MessageType.MsgRequestVote || t === MessageType.MsgRequestVoteResponse ||
      t === MessageType.MsgRequestPreVote || t === MessageType.MsgRequestPreVoteResponse
    const local = t === MessageType.MsgPropose || t === MessageType.MsgReadIndex
    if (keepsOwnTerm) {
      if (f.term) m.term = f.term
    } else if (!local && this.term !== 0) {
      m.term = this.term
    }
    if (f.logTerm) m.logTerm = f.logTerm
    if (f.index) m.index = f.index
    if (f.entries && f.entries.length > 0) m.entries = f.entries
    if (f.commit) m.commit = f.commit
    if (f.snapshot) m.snapshot = f.snapshot
    if (f.reject) m.reject = true
    if (f.rejectHint) m.rejectHint = f.rejectHint
    if (f.context && f.context.length > 0) m.context = f.context
    this.msgs.push(m)
  }

  /** Sends an append (or a snapshot) to a follower. Returns whether a message was sent. */
  sendAppend(to: number, sendIfEmpty = true): boolean {
    const pr = this.prs.get(to)
    if (!pr || to === this.id) return false
    if (pr.state === 'snapshot' || (this.flowControl && pr.isPaused())) return false
    const last = this.raftLog.lastIndex()
    if (pr.next > last + 1) pr.next = last + 1
    if (pr.next < 1) pr.next = 1
    const prevIndex = pr.next - 1
    let prevTerm: number
    let ents: Entry[]
    try {
      prevTerm = this.raftLog.term(prevIndex)
      ents = this.raftLog.slice(pr.next, last + 1, this.maxMsgSize)
    } catch (e) {
      if (e === ErrCompacted || e === ErrUnavailable) return this.sendSnapshot(to, pr)
      throw e
    }
    if (ents.length === 0 && !sendIfEmpty) return false
    if (this.flowControl && ents.length > 0) {
      const lastSent = ents[ents.length - 1]!.index ?? 0
      if (pr.state === 'replicate') {
        pr.optimisticUpdate(lastSent)
        pr.inflights.add(lastSent)
      } else {
        pr.probeSent = true
      }
    } else if (this.flowControl && pr.state === 'probe') {
      pr.probeSent = true
    }
    this.send({ to, msgType: MessageType.MsgAppend, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.raftLog.committed })
    return true
  }

  private sendSnapshot(to: number, pr: Progress): boolean {
    let snap
    try {
      snap = this.raftLog.storage.snapshot()
    } catch (e) {
      if (e === ErrSnapshotTemporarilyUnavailable) {
        this.logger.debug(`${this.id} failed to send snapshot to ${to}: temporarily unavailable`)
        return false
      }
      throw e
    }
    const index = snap.metadata?.index ?? 0
    pr.becomeSnapshot(index)
    this.logger.info(`${this.id} [firstindex: ${this.raftLog.firstIndex()}, commit: ${this.raftLog.committed}] sent snapshot[index: ${index}, term: ${snap.metadata?.term ?? 0}] to ${to}`)
    this.send({ to, msgType: MessageType.MsgSnapshot, snapshot: snap })
    return true
  }

  sendHeartbeat(to: number, ctx?: Uint8Array): void {
    const pr = this.prs.get(to)
    // A follower may not have the leader's entries up to commit: send only what it has.
    const commit = Math.min(pr ? pr.match : 0, this.raftLog.committed)
    this.send({ to, msgType: MessageType.MsgHeartbeat, commit, context: ctx && ctx.length > 0 ? ctx : undefined })
  }

  bcastAppend(): void {
    for (const id of this.prs.keys()) if (id !== this.id) this.sendAppend(id)
  }

  bcastHeartbeat(ctx?: Uint8Array): void {
    const c = ctx ?? this.readOnly.lastPendingCtx()
    for (const id of this.prs.keys()) if (id !== this.id) this.sendHeartbeat(id, c)
  }

  sendTimeoutNow(to: number): void {
    this.send({ to, msgType: MessageType.MsgTimeoutNow })
  }

  /** Appends entries of this term after the last one (leader). */
  appendEntry(es: Entry[]): void {
    let li = this.raftLog.lastIndex()
    const ents: Entry[] = []
    for (const e of es) {
      const ne = makeEntry({})
      const rec = ne as Record<string, unknown>
      for (const key of Object.keys(e) as (keyof Entry)[]) {
        const v = e[key]
        if (v !== undefined && v !== null && key !== 'term' && key !== 'index') rec[key] = v
      }
      ne.term = this.term
      ne.index = ++li
      ents.push(ne)
    }
    this.raftLog.append(ents)
    // With async leader writes, the leader acks its own entries once they are persisted
    // (leaderPersisted, from RawNode.advance), not here.
    if (!this.asyncLeaderWrites) this.prs.get(this.id)?.maybeUpdate(this.raftLog.lastIndex())
    this.maybeCommit()
  }

  /**
   * Async leader writes: the application reported entries persisted (raftLog.stabled moved).
   * A leader counts its own log up to there towards the quorum, and broadcasts a commit
   * this allows. A report for entries since replaced moved nothing (stableTo checks their
   * term); a peer that is no longer leader has nothing to count.
   */
  leaderPersisted(): void {
    if (!this.asyncLeaderWrites || this.state !== StateType.Leader) return
    const pr = this.prs.get(this.id)
    if (!pr || !pr.maybeUpdate(this.selfMatch(this.raftLog.lastIndex()))) return
    if (this.maybeCommit()) this.bcastAppend()
  }

  /** Commits what a majority has (of this term). Returns whether commit moved. */
  maybeCommit(): boolean {
    if (this.prs.size === 0) return false
    const matches: number[] = []
    for (const pr of this.prs.values()) matches.push(pr.match)
    const mci = committedIndex(matches)
    const moved = this.raftLog.maybeCommit(mci, this.term)
    if (moved && this.state === StateType.Leader) this.releasePendingReadIndexMessages()
    return moved
  }

  committedEntryInCurrentTerm(): boolean {
    try {
      return this.raftLog.term(this.raftLog.committed) === this.term
    } catch {
      return false
    }
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return
    const msgs = this.pendingReadIndexMessages
    this.pendingReadIndexMessages = []
    for (const m of msgs) stepLeader(this, m)
  }

  // ---- follower handlers (no term check here: step() did it) ----

  handleAppendEntries(m: Message): void {
    const index = m.index ?? 0
    const ents = m.entries ?? []
    const from = m.from ?? None
    if (index < this.raftLog.committed) {
      this.send({ to: from, msgType: MessageType.MsgAppendResponse, index: this.raftLog.committed })
      return
    }
    if (this.raftLog.matchTerm(index, m.logTerm ?? 0)) {
      const lastNew = index + ents.length
      const ci = this.raftLog.findConflict(ents)
      if (ci !== 0) {
        if (ci <= this.raftLog.committed) {
          this.logger.warn(`${this.id} entry ${ci} conflicts with committed entry [committed(${this.raftLog.committed})]; append ignored`)
          return
        }
        this.raftLog.truncateAndAppend(ents.slice(ci - (index + 1)))
      }
      this.raftLog.commitTo(Math.min(m.commit ?? 0, lastNew))
      this.send({ to: from, msgType: MessageType.MsgAppendResponse, index: lastNew })
      return
    }
    // Rejected: hint where the leader should resume, skipping a whole term at once.
    let hintIndex = Math.min(index, this.raftLog.lastIndex())
    hintIndex = this.raftLog.findConflictByTerm(hintIndex, m.logTerm ?? 0)
    let hintTerm = 0
    try {
      hintTerm = this.raftLog.term(hintIndex)
    } catch {
      hintTerm = 0
    }
    this.send({ to: from, msgType: MessageType.MsgAppendResponse, index, reject: true, rejectHint: hintIndex, logTerm: hintTerm })
  }

  handleHeartbeat(m: Message): void {
    const last = this.raftLog.lastIndex()
    const mcommit = m.commit ?? 0
    this.raftLog.commitTo(Math.min(mcommit, last))
    // The leader only sends a commit index we acknowledged having. If we do not have it,
    // our log was lost (a wiped data dir): say where it really ends so that the leader
    // resends from there (or sends a snapshot).
    const lost = mcommit > last
    this.send({ to: m.from ?? None, msgType: MessageType.MsgHeartbeatResponse, context: m.context ?? undefined, reject: lost, rejectHint: lost ? last : 0 })
  }

  handleSnapshot(m: Message): void {
    const s = m.snapshot
    const from = m.from ?? None
    if (!s || !s.metadata) {
      this.logger.warn(`${this.id} ignored a snapshot message without metadata`)
      return
    }
    const sindex = s.metadata.index ?? 0
    const sterm = s.metadata.term ?? 0
    if (this.restore(s)) {
      this.logger.info(`${this.id} [commit: ${this.raftLog.committed}] restored snapshot [index: ${sindex}, term: ${sterm}]`)
      this.send({ to: from, msgType: MessageType.MsgAppendResponse, index: this.raftLog.lastIndex() })
    } else {
      this.send({ to: from, msgType: MessageType.MsgAppendResponse, index: this.raftLog.committed })
    }
  }

  /** Installs a snapshot into the log. Returns false for a stale or redundant one. */
  restore(s: NonNullable<Message['snapshot']>): boolean {
    const meta = s.metadata
    if (!meta || isEmptySnap(s)) return false
    const sindex = meta.index ?? 0
    const sterm = meta.term ?? 0
    if (sindex <= this.raftLog.committed) return false
    if (this.state !== StateType.Follower) {
      // Only followers restore; anything else would be a bug in the caller.
      this.becomeFollower(this.term + 1, None)
      return false
    }
    if (this.raftLog.matchTerm(sindex, sterm)) {
      // We already have the snapshot's entries: just move commit forward.
      this.raftLog.commitTo(sindex)
      return false
    }
    this.raftLog.restore(s)
    const nodes = meta.confState?.nodes ?? []
    const last = this.raftLog.lastIndex()
    this.prs = new Map()
    for (const id of nodes) this.prs.set(id, this.newProgress(id, last))
    this.pendingConfIndex = 0
    return true
  }

  // ---- membership ----

  addNode(id: number): void {
    if (this.prs.has(id)) return
    const pr = this.newProgress(id, this.raftLog.lastIndex())
    pr.match = 0
    // A new member has not been heard from, but gets the benefit of the doubt for a round.
    pr.recentActive = true
    this.prs.set(id, pr)
  }

  removeNode(id: number): void {
    if (!this.prs.has(id)) return
    this.prs.delete(id)
    this.votes.delete(id)
    if (id === this.id) {
      if (this.state === StateType.Leader) this.becomeFollower(this.term, None)
      return
    }
    if (this.state !== StateType.Leader) return
    if (this.leadTransferee === id) this.abortLeaderTransfer()
    // The quorum shrank: entries may now be committed.
    if (this.maybeCommit()) this.bcastAppend()
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = None
  }

  /** Whether a majority was active since the last check (CheckQuorum). Resets the marks. */
  quorumActive(): boolean {
    let n = 0
    let active = 0
    for (const [id, pr] of this.prs) {
      n++
      if (id === this.id || pr.recentActive) active++
      if (id !== this.id) pr.recentActive = false
    }
    return active >= quorumSize(n)
  }

}

function isTransferCtx(ctx: Uint8Array | null | undefined): boolean {
  if (!ctx || ctx.length !== campaignTransferCtx.length) return false
  for (let i = 0; i < ctx.length; i++) if (ctx[i] !== campaignTransferCtx[i]) return false
  return true
}

/** Creates a Raft from a config. Throws InvalidConfigError for an invalid one. */
export function newRaft(c: Config): Raft {
  validateConfig(c)
  const raftLog = new RaftLog(c.storage)
  const { hardState, confState } = c.storage.initialState()
  const peers = c.peers && c.peers.length > 0 ? c.peers : confState.nodes ?? []
  const r = new Raft(c, raftLog)
  const last = raftLog.lastIndex()
  for (const p of peers) r.prs.set(p, new Progress({ match: 0, next: last + 1, maxInflight: r.maxInflight || 1 }))
  if ((hardState.term ?? 0) !== 0 || (hardState.vote ?? 0) !== 0 || (hardState.commit ?? 0) !== 0) {
    const commit = hardState.commit ?? 0
    if (commit < raftLog.committed || commit > last) {
      throw new InvalidConfigError(`${c.id} state.commit ${commit} is out of range [${raftLog.committed}, ${last}]`)
    }
    raftLog.committed = commit
    r.term = hardState.term ?? 0
    r.vote = hardState.vote ?? 0
  }
  if (c.applied && c.applied > 0) raftLog.appliedTo(c.applied)
  r.becomeFollower(r.term, None)
  return r
}
