// Progress: the leader's view of one follower's log.
import { Inflights } from './inflights.js'

/**
 * - probe: the leader sends at most one append per heartbeat interval and learns where
 *   the follower's log ends (after a rejection, a restart, or becoming leader);
 * - replicate: appends stream optimistically, bounded by the inflights window;
 * - snapshot: a snapshot is on its way; appends wait until it is applied or fails.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot'

export interface ProgressInit {
  match: number
  next: number
  maxInflight: number
}

export class Progress {
  /** Highest index known to be replicated on the follower. Invariant: match < next. */
  match: number
  /** Index of the next entry to send. */
  next: number
  state: ProgressState = 'probe'
  /** In probe state: an append was sent and the leader waits for its answer or a heartbeat. */
  probeSent = false
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0
  /** Heard from since the last CheckQuorum round. */
  recentActive = false
  /** Heartbeat responses seen while in snapshot state (for the lost-snapshot fallback). */
  snapshotHeartbeats = 0
  inflights: Inflights

  constructor(init: ProgressInit) {
    this.match = init.match
    this.next = init.next
    this.inflights = new Inflights(Math.max(1, init.maxInflight))
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot
      this.resetState('probe')
      this.next = Math.max(this.match + 1, pending + 1)
    } else {
      this.resetState('probe')
      this.next = this.match + 1
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate')
    this.next = this.match + 1
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = snapshotIndex
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false
    this.pendingSnapshot = 0
    this.snapshotHeartbeats = 0
    this.state = state
    this.inflights.reset()
  }

  /** The follower acknowledged up to n. Returns whether match moved. */
  maybeUpdate(n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.probeSent = false
    }
    if (this.next < n + 1) this.next = n + 1
    return updated
  }

  /** In replicate state, next moves on as soon as an append is sent. */
  optimisticUpdate(n: number): void {
    this.next = n + 1
  }

  /**
   * The follower rejected an append whose previous index was `rejected`; matchHint is
   * where it suggests to resume. Returns false for a stale rejection.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), 1)
    this.probeSent = false
    return true
  }

  /** Whether sending appends to this follower should wait (only consulted with flow control). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent
      case 'replicate': return this.inflights.full()
      case 'snapshot': return true
    }
  }
}
