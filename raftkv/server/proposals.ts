// Proposals waiting for their entry to apply. A proposal is known by the index and term
// its entry got on this leader; when that index applies with another entry (a newer
// leader overwrote it), the proposal is stale.
export type ProposalOutcome =
  | { ok: true }
  | { ok: false; reason: 'stale' | 'timeout' | 'dropped' | 'stopped' | 'refused'; detail?: string }

interface Waiting {
  proposalId: number
  index: number
  term: number
  deadline: number
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

  track(proposalId: number, index: number, term: number, deadline: number, done: (o: ProposalOutcome) => void): void {
    const old = this.byIndex.get(index)
    if (old) old.done({ ok: false, reason: 'stale' })
    this.byIndex.set(index, { proposalId, index, term, deadline, done })
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
