// What the check's own thread is given and what it answers (check-worker.ts, check-off-thread.ts).
import type { HistoryEvent } from '../../raftkv/check/index.js'
import type { ControlErrorData, Verdict } from '../control/types.js'

/** A whole history to check: parsed events (a workload's own), or NDJSON text (checkHistory). */
export type CheckJob =
  | { kind: 'events'; events: readonly HistoryEvent[]; timeBudgetMs: number }
  | { kind: 'ndjson'; ndjson: string; timeBudgetMs: number }

export type CheckReply = { ok: true; verdict: Verdict } | { ok: false; error: ControlErrorData }
