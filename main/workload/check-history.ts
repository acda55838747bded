// A whole history checked into a Verdict: the workload's own at its end, and
// checkHistory({ndjson}) for a history written by `raftkv load --history`.
import { checkLinearizability, HistoryError, type HistoryEvent } from '../../raftkv/check/index.js'
import { HistoryFormatError, parseHistory } from '../../raftkv/client/index.js'
import { ControlError } from '../control/errors.js'
import type { Verdict } from '../control/types.js'
import { toVerdict } from './verdict.js'

/** The checker's wall-clock budget: past it the verdict is "unknown" (the user is waiting). */
export const DEFAULT_CHECK_BUDGET_MS = 10_000

/** Largest history checkHistory takes (bytes of NDJSON). */
export const MAX_HISTORY_BYTES = 256 * 1024 * 1024

export function checkEvents(events: readonly HistoryEvent[], timeBudgetMs = DEFAULT_CHECK_BUDGET_MS): Verdict {
  const t0 = performance.now()
  try {
    const result = checkLinearizability(events, { timeBudgetMs })
    return toVerdict(result, events, performance.now() - t0)
  } catch (err) {
    if (err instanceof HistoryError) throw new ControlError('BAD_ARGUMENT', `malformed history: ${err.message}`)
    throw err
  }
}

export function checkNdjson(ndjson: unknown, timeBudgetMs = DEFAULT_CHECK_BUDGET_MS): Verdict {
  if (typeof ndjson !== 'string') throw new ControlError('BAD_ARGUMENT', 'ndjson must be a string (one history event per line)')
  if (ndjson.length > MAX_HISTORY_BYTES) throw new ControlError('BAD_ARGUMENT', `the history is larger than ${MAX_HISTORY_BYTES} bytes`)
  let events: HistoryEvent[]
  try {
    events = parseHistory(ndjson)
  } catch (err) {
    if (err instanceof HistoryFormatError) throw new ControlError('BAD_ARGUMENT', `malformed history: ${err.message}`)
    throw err
  }
  return checkEvents(events, timeBudgetMs)
}
