// RawNode: the application's only handle on raft. Drive it with tick/step/propose,
// take a Ready when hasReady(), then persist, send, apply, and advance().
import type { ConfChange, ConfState, Entry, HardState, Message, Snapshot } from './types.js'
import { EntryType, MessageType, ConfChangeType, None, encodeConfChange, isEmptyHardState, isEmptySnap, emptySnapshot } from './types.js'
import type { Config } from './config.js'
import { Raft, newRaft, type SoftState } from './raft.js'
import { StateType } from './state-type.js'
import type { ReadState } from './read-only.js'
import { ErrStepLocalMsg, ErrStepPeerNotFound } from './errors.js'
import type { Progress } from './tracker/progress.js'

/**
 * What raft asks the application to do, in this order:
 * 0. (async leader writes only) send `earlyMessages`: they may leave at once;
 * 1. persist `entries`, `hardState` and `snapshot` (one atomic write);
 * 2. only then send `messages` (a vote or an append ack must never outrun the disk);
 * 3. apply `snapshot`, then `committedEntries`, to the state machine;
 * 4. call advance(ready): with async leader writes, this is also the leader's report that
 *    `entries` are durable, and only then does it count itself towards their commit.
 */
export interface Ready {
  /** Set only when it changed since the last Ready. */
  softState?: SoftState
  /** All-zero when unchanged. */
  hardState: HardState
  /** Entries to persist before sending messages. */
  entries: Entry[]
  /** Empty (metadata index 0) when none. */
  snapshot: Snapshot
  /** Committed entries to apply (they may include entries of `entries`). */
  committedEntries: Entry[]
  messages: Message[]
  /**
   * Only with Config.asyncLeaderWrites (absent otherwise): the leader's MsgAppend,
   * MsgHeartbeat and MsgSnapshot of its current term, which may be sent before (or while)
   * `entries` are persisted (§10.2.1). `messages` then holds the rest.
   */
  earlyMessages?: Message[]
  /** Answers to readIndex() requests: once applied >= index, a read of that request is linearizable. */
  readStates: ReadState[]
}

const zeroHardState = (): HardState => ({ term: 0, vote: 0, commit: 0 })

function sameHardState(a: HardState, b: HardState): boolean {
  return (a.term ?? 0) === (b.term ?? 0) && (a.vote ?? 0) === (b.vote ?? 0) && (a.commit ?? 0) === (b.commit ?? 0)
}

/** Messages only raft itself or the application make; never accepted from the network. */
const localTypes = new Set<number>([
  MessageType.MsgHup, MessageType.MsgBeat, MessageType.MsgCheckQuorum, MessageType.MsgUnreachable, MessageType.MsgSnapStatus,
])
/** Requests a follower forwards as they are: they legitimately carry no term. */
const termlessTypes = new Set<number>([MessageType.MsgPropose, MessageType.MsgReadIndex, MessageType.MsgTransferLeader])
const responseTypes = new Set<number>([
  MessageType.MsgAppendResponse, MessageType.MsgRequestVoteResponse, MessageType.MsgHeartbeatResponse,
  MessageType.MsgRequestPreVoteResponse,
])

/** What a leader may send before its own write is durable: none of it promises anything about its disk. */
const earlyTypes = new Set<number>([MessageType.MsgAppend, MessageType.MsgHeartbeat, MessageType.MsgSnapshot])

/** Where a proposal went in the leader's log: its (first) entry's index and term. */
export interface ProposalPosition {
  /** 0 when this node is not the leader and forwarded the proposal (no index is known here). */
  index: number
  term: number
}

/** What the application reads of raft on every request: no progress, no log contents. */
export interface BasicStatus {
  id: number
  term: number
  vote: number
  lead: number
  raftState: StateType
  lastIndex: number
  commitIndex: number
  appliedIndex: number
}

export class RawNode {
  /** The raft state machine itself: for the contract tests; an application uses the methods below. */
  raft: Raft
  private prevSoftSt: SoftState
  private prevHardSt: HardState

  /** Throws InvalidConfigError for an invalid config. */
  constructor(config: Config) {
    this.raft = newRaft(config)
    this.prevSoftSt = this.raft.softState()
    this.prevHardSt = this.raft.hardState()
  }

  tick(): void {
    this.raft.tick()
  }

  campaign(): void {
    this.raft.step({ msgType: MessageType.MsgHup, from: this.raft.id })
  }

  /** Proposes data to be appended to the log. Throws ErrProposalDropped when it cannot be taken. */
  propose(data: Uint8Array): void {
    this.raft.step({ msgType: MessageType.MsgPropose, from: this.raft.id, entries: [{ data }] })
  }

  /**
   * Proposes several entries at once (one MsgPropose: one append, one round trip). Returns
   * where the first went: the i-th data is at `index + i`, all of `term`. Throws
   * ErrProposalDropped when they cannot be taken.
   */
  proposeBatch(datas: Uint8Array[]): ProposalPosition {
    if (datas.length === 0) return { index: 0, term: this.raft.term }
    return this.appended(datas.length, () =>
      this.raft.step({ msgType: MessageType.MsgPropose, from: this.raft.id, entries: datas.map((data) => ({ data })) }))
  }

  /**
   * Proposes a membership change; returns its entry's index and term. Throws
   * ErrProposalDropped while another one is pending.
   */
  proposeConfChange(cc: ConfChange): ProposalPosition {
    const data = encodeConfChange(cc)
    return this.appended(1, () =>
      this.raft.step({ msgType: MessageType.MsgPropose, from: this.raft.id, entries: [{ entryType: EntryType.EntryConfChange, data }] }))
  }

  /** Runs a proposal; a leader appended `count` entries at the end of its log, of its term. */
  private appended(count: number, propose: () => void): ProposalPosition {
    propose()
    if (this.raft.state !== StateType.Leader) return { index: 0, term: this.raft.term }
    return { index: this.raft.raftLog.lastIndex() - count + 1, term: this.raft.term }
  }

  /** Whether `id` is in the current membership (self included). */
  isMember(id: number): boolean {
    return this.raft.prs.has(id)
  }

  /** The term of log entry `index`. Throws ErrCompacted / ErrUnavailable outside the log. */
  term(index: number): number {
    return this.raft.raftLog.term(index)
  }

  /** Soft and hard state and the log's indexes: cheap, for every request. */
  basicStatus(): BasicStatus {
    const r = this.raft
    return {
      id: r.id, term: r.term, vote: r.vote, lead: r.lead, raftState: r.state,
      lastIndex: r.raftLog.lastIndex(), commitIndex: r.raftLog.committed, appliedIndex: r.raftLog.applied,
    }
  }

  /** Applies a committed conf change to raft's membership; returns the new ConfState. */
  applyConfChange(cc: ConfChange): ConfState {
    const nodeId = cc.nodeId ?? None
    if (nodeId !== None) {
      if ((cc.changeType ?? ConfChangeType.AddNode) === ConfChangeType.AddNode) this.raft.addNode(nodeId)
      else if (cc.changeType === ConfChangeType.RemoveNode) this.raft.removeNode(nodeId)
    }
    return { nodes: [...this.raft.prs.keys()].sort((a, b) => a - b) }
  }

  /**
   * Steps a message from the network. Throws ErrStepLocalMsg / ErrStepPeerNotFound; ignores
   * a peer message without a term (stale).
   */
  step(m: Message): void {
    const type = m.msgType ?? MessageType.MsgHup
    if (localTypes.has(type)) throw ErrStepLocalMsg
    if (responseTypes.has(type) && !this.raft.prs.has(m.from ?? None)) throw ErrStepPeerNotFound
    // Every other peer message carries its sender's term (>= 1): one without is stale (§5.1).
    if ((m.term ?? 0) === 0 && !termlessTypes.has(type)) return
    this.raft.step(m)
  }

  /** Requests a linearizable read point; the answer arrives in Ready.readStates with the same ctx. */
  readIndex(ctx: Uint8Array): void {
    this.raft.step({ msgType: MessageType.MsgReadIndex, from: this.raft.id, entries: [{ data: ctx }] })
  }

  transferLeader(transferee: number): void {
    this.raft.step({ msgType: MessageType.MsgTransferLeader, from: transferee })
  }

  /** Tells raft that the last messages to `id` could not be delivered (only a leader acts on it). */
  reportUnreachable(id: number): void {
    this.raft.step({ msgType: MessageType.MsgUnreachable, from: id })
  }

  /**
   * Tells raft that the link to peer `id` closed and could not be reopened. A follower of
   * `id` forgets its leader (and the leader lease); the application may then campaign()
   * at once instead of waiting out the election timeout. Returns whether it forgot.
   */
  reportLeaderLost(id: number): boolean {
    return this.raft.forgetLeader(id)
  }

  /** Tells raft how sending a snapshot to `id` ended. */
  reportSnapshot(id: number, failed: boolean): void {
    this.raft.step({ msgType: MessageType.MsgSnapStatus, from: id, reject: failed })
  }

  /** Takes what the application must do now; the messages are handed out once. */
  ready(): Ready {
    const r = this.raft
    const rd: Ready = {
      hardState: zeroHardState(),
      entries: r.raftLog.unstableEntries(),
      snapshot: r.raftLog.pendingSnapshot && !isEmptySnap(r.raftLog.pendingSnapshot) ? r.raftLog.pendingSnapshot : emptySnapshot(),
      committedEntries: r.raftLog.nextEnts(),
      messages: r.msgs,
      readStates: r.readStates,
    }
    r.msgs = []
    r.readStates = []
    if (r.asyncLeaderWrites) this.splitEarly(rd)
    const ss = r.softState()
    if (ss.lead !== this.prevSoftSt.lead || ss.raftState !== this.prevSoftSt.raftState) rd.softState = ss
    const hs = r.hardState()
    if (!sameHardState(hs, this.prevHardSt)) rd.hardState = hs
    return rd
  }

  /**
   * Moves the messages a leader may send before persisting into rd.earlyMessages: only of
   * its current term (an older term's leadership is gone, and what it queued keeps the
   * classic order), only from the leader it still is.
   */
  private splitEarly(rd: Ready): void {
    const r = this.raft
    const early: Message[] = []
    const later: Message[] = []
    const leading = r.state === StateType.Leader
    for (const m of rd.messages) {
      if (leading && (m.term ?? 0) === r.term && earlyTypes.has(m.msgType ?? MessageType.MsgHup)) early.push(m)
      else later.push(m)
    }
    rd.earlyMessages = early
    rd.messages = later
  }

  hasReady(): boolean {
    const r = this.raft
    const ss = r.softState()
    if (ss.lead !== this.prevSoftSt.lead || ss.raftState !== this.prevSoftSt.raftState) return true
    const hs = r.hardState()
    if (!isEmptyHardState(hs) && !sameHardState(hs, this.prevHardSt)) return true
    if (r.raftLog.pendingSnapshot && !isEmptySnap(r.raftLog.pendingSnapshot)) return true
    if (r.msgs.length > 0 || r.readStates.length > 0) return true
    if (r.raftLog.unstableEntries().length > 0) return true
    return r.raftLog.hasNextEnts()
  }

  /** Acknowledges that the Ready was persisted, sent and applied. */
  advance(rd: Ready): void {
    const log = this.raft.raftLog
    if (rd.softState) this.prevSoftSt = rd.softState
    if (!isEmptyHardState(rd.hardState)) this.prevHardSt = rd.hardState
    if (rd.entries.length > 0) {
      const e = rd.entries[rd.entries.length - 1]!
      log.stableTo(e.index ?? 0, e.term ?? 0)
      // Async leader writes: the leader's own ack of the entries just persisted.
      this.raft.leaderPersisted()
    }
    if (!isEmptySnap(rd.snapshot)) {
      const sindex = rd.snapshot.metadata!.index ?? 0
      if (log.pendingSnapshot && (log.pendingSnapshot.metadata?.index ?? 0) === sindex) log.pendingSnapshot = undefined
      if (sindex > log.stabled) log.stabled = sindex
    }
    if (rd.committedEntries.length > 0) {
      log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1]!.index ?? 0)
    }
    log.maybeCompact()
  }

  getProgress(): Map<number, Progress> {
    return this.raft.prs
  }

  /** The status the application shows: soft + hard state, indexes, and per-peer progress. */
  status(): RaftStatus {
    const r = this.raft
    const progress = new Map<number, { match: number; next: number; state: string; recentActive: boolean; pendingSnapshot: number }>()
    if (r.state === StateType.Leader) {
      for (const [id, pr] of r.prs) progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, pendingSnapshot: pr.pendingSnapshot })
    }
    return {
      id: r.id, term: r.term, vote: r.vote, lead: r.lead, raftState: r.state,
      firstIndex: r.raftLog.firstIndex(), lastIndex: r.raftLog.lastIndex(), stabledIndex: r.raftLog.stabled,
      commitIndex: r.raftLog.committed, appliedIndex: r.raftLog.applied,
      voters: [...r.prs.keys()].sort((a, b) => a - b), leadTransferee: r.leadTransferee, progress,
    }
  }
}

export interface RaftStatus extends BasicStatus {
  firstIndex: number
  stabledIndex: number
  voters: number[]
  leadTransferee: number
  /** Only on the leader. */
  progress: Map<number, { match: number; next: number; state: string; recentActive: boolean; pendingSnapshot: number }>
}

export { Raft }
