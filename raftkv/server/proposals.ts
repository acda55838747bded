// Proposals waiting for their entry to commit or apply. A proposal is known by the index
// and term its entry got on this leader; when that index applies with another entry (a
// newer leader overwrote it), the proposal is stale.
//
// A user write (put, delete) is answered once its entry commits, before it is applied: its
// answer carries no result, every committed write applies (only conf changes can be
// refused), and a later linearizable read waits until the state machine has applied its
// read index, which is at least this commit. One leader per term places one entry per
// index, so a committed entry of the proposal's index and term is the proposal itself.
export type ProposalOutcome =
  | { ok: true }
  | { ok: false; reason: 'stale' | 'timeout' | 'dropped' | 'stopped' | 'refused'; detail?: string }

interface Waiting {
  proposalId: number
  index: number
  term: number
  deadline: number
  /** Answered when its entry commits (a user write), not when it applies. */
  atCommit: boolean
  done: (o: ProposalOutcome) => void
}

export class ProposalTracker {
  private byIndex = new Map<number, Waiting>()
  private nextId = 1

  newId(): number {
    return this.nextId++
  }

  get size(): number {
    return this.byIndex.size
  }

  track(proposalId: number, index: number, term: number, deadline: number, done: (o: ProposalOutcome) => void, atCommit = false): void {
    const old = this.byIndex.get(index)
    if (old) old.done({ ok: false, reason: 'stale' })
    this.byIndex.set(index, { proposalId, index, term, deadline, atCommit, done })
  }

  /** The entry at index (of term) is committed: a user write proposed there is answered now. */
  committed(index: number, term: number): void {
    const w = this.byIndex.get(index)
    if (!w || !w.atCommit || w.term !== term) return
    this.byIndex.delete(index)
    w.done({ ok: true })
  }

  /**
   * The entry at index (of term) applied; proposalId is from its header when this node
   * proposed it; `refused` says why a conf change was skipped instead.
   */
  applied(index: number, term: number, proposalId: number | undefined, refused?: string): void {
    const w = this.byIndex.get(index)
    if (!w) return
    this.byIndex.delete(index)
    if (w.term === term && w.proposalId === proposalId) w.done(refused === undefined ? { ok: true } : { ok: false, reason: 'refused', detail: refused })
    else w.done({ ok: false, reason: 'stale' })
  }

  /** Answers TIMEOUT to proposals past their deadline. */
  expire(now: number): void {
    for (const [index, w] of this.byIndex) {
      if (w.deadline <= now) {
        this.byIndex.delete(index)
        w.done({ ok: false, reason: 'timeout' })
      }
    }
  }

  failAll(reason: 'stopped' | 'timeout'): void {
    const all = [...this.byIndex.values()]
    this.byIndex.clear()
    for (const w of all) w.done({ ok: false, reason })
  }
}
