// Safety properties of Raft (Figure 3 of the paper), checked incrementally while a simulated
// cluster runs: election safety, log matching, leader completeness, state machine safety,
// and linearizable ReadIndex answers.
import { decodeConfChange, EntryType, type Entry, type RaftLog } from '../index.js'

export class SafetyViolation extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SafetyViolation'
  }
}

const decoder = new TextDecoder()

/** A printable identity of an entry: its type, payload and term. */
export function entryKey(e: Entry): string {
  const term = e.term ?? 0
  if ((e.entryType ?? EntryType.EntryNormal) === EntryType.EntryConfChange) {
    const cc = decodeConfChange(e.data ?? new Uint8Array())
    return `cc:${cc.changeType ?? 0}:${cc.nodeId ?? 0}@${term}`
  }
  const data = e.data && e.data.length > 0 ? decoder.decode(e.data) : 'noop'
  return `${data}@${term}`
}

/** The term of the entry at i in log, or undefined when i is compacted or missing. */
function termAt(log: RaftLog, i: number): number | undefined {
  if (i < log.firstIndex() - 1 || i > log.lastIndex()) return undefined
  try {
    return log.term(i)
  } catch {
    return undefined
  }
}

interface Committed { key: string; term: number; commitTerm: number }

export class SafetyChecker {
  /** term -> the one node that led it. */
  private readonly leaders = new Map<number, number>()
  /** `${index}:${term}` -> the entry's key and the term of the entry before it. */
  private readonly logEntries = new Map<string, { key: string; prevTerm: number | undefined }>()
  /** index -> what was applied there (first applier decides; everyone else must agree). */
  private readonly applied = new Map<number, Committed>()
  private maxApplied = 0
  /** `${id}:${term}` -> the highest applied index already checked against that leader's log. */
  private readonly leaderChecked = new Map<string, number>()
  /** Highest commit index any node has known: reads issued now must answer at least this. */
  maxCommitSeen = 0

  /** Election safety: at most one leader can be elected in a given term. */
  observeLeader(id: number, term: number): void {
    const prev = this.leaders.get(term)
    if (prev === undefined) this.leaders.set(term, id)
    else if (prev !== id) throw new SafetyViolation(`election safety: nodes ${prev} and ${id} both led term ${term}`)
  }

  /**
   * Log matching: two entries with the same index and term hold the same command, and the
   * logs are identical before them (checked as: same predecessor term, by induction).
   */
  observeEntry(id: number, e: Entry, prevTerm: number | undefined): void {
    const k = `${e.index ?? 0}:${e.term ?? 0}`
    const key = entryKey(e)
    const seen = this.logEntries.get(k)
    if (seen === undefined) {
      this.logEntries.set(k, { key, prevTerm })
      return
    }
    if (seen.key !== key) throw new SafetyViolation(`log matching: node ${id} holds ${key} at ${k}, another node ${seen.key}`)
    if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
      throw new SafetyViolation(`log matching: node ${id} has term ${prevTerm} before ${k}, another node ${seen.prevTerm}`)
    }
    if (seen.prevTerm === undefined && prevTerm !== undefined) seen.prevTerm = prevTerm
  }

  /** Checks the entries a node holds but has not persisted yet (every entry passes through there). */
  observeLog(id: number, log: RaftLog): void {
    for (const e of log.unstableEntries()) this.observeEntry(id, e, termAt(log, (e.index ?? 0) - 1))
    if (log.committed > this.maxCommitSeen) this.maxCommitSeen = log.committed
  }

  /**
   * State machine safety: no two nodes apply different entries at one index. term is the
   * entry's term (-1 when only known from a snapshot); nodeTerm is the applying node's term,
   * an upper bound of the term in which the entry was committed.
   */
  observeApply(id: number, index: number, key: string, term: number, nodeTerm: number): void {
    const prev = this.applied.get(index)
    if (prev === undefined) {
      this.applied.set(index, { key, term, commitTerm: nodeTerm })
      if (index > this.maxApplied) this.maxApplied = index
      return
    }
    if (prev.key !== key) throw new SafetyViolation(`state machine safety: node ${id} applied ${key} at ${index}, another node ${prev.key}`)
    if (prev.term < 0 && term >= 0) prev.term = term
  }

  /** What was applied at index, if anyone applied it. */
  appliedAt(index: number): string | undefined {
    return this.applied.get(index)?.key
  }

  /**
   * Leader completeness: a leader holds every entry committed in an earlier term (entries it
   * has compacted into its snapshot excepted).
   */
  checkLeader(id: number, term: number, log: RaftLog): void {
    this.observeLeader(id, term)
    const k = `${id}:${term}`
    let i = this.leaderChecked.get(k) ?? 0
    const first = log.firstIndex()
    for (i = Math.max(i + 1, first); i <= this.maxApplied; i++) {
      const c = this.applied.get(i)
      if (c === undefined || c.term < 0 || c.commitTerm >= term) continue
      const t = termAt(log, i)
      if (t !== c.term) {
        throw new SafetyViolation(`leader completeness: leader ${id} of term ${term} has term ${t ?? 'none'} at ${i}, committed ${c.key}`)
      }
    }
    this.leaderChecked.set(k, this.maxApplied)
  }

  /** A ReadIndex answer must cover every commit known when the read was issued. */
  checkRead(id: number, ctx: string, index: number, minIndex: number): void {
    if (index < minIndex) {
      throw new SafetyViolation(`linearizable read: node ${id} read ${ctx} at index ${index}, but ${minIndex} was committed before it was issued`)
    }
  }
}
