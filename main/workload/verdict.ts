// The checker's result (raftkv/check) as the control API's Verdict: the first
// violation becomes the counterexample, its operations in ms since the history began,
// ready to be drawn.
import { historyOperations, type CheckResult, type HistoryEvent, type Operation } from '../../raftkv/check/index.js'
import type { Counterexample, HistoryOp, Verdict } from '../control/types.js'

/** Operations drawn around the stuck one (the key's ops overlapping its window). */
const MAX_COUNTEREXAMPLE_OPS = 24

export function toVerdict(result: CheckResult, events: readonly HistoryEvent[], checkMs: number): Verdict {
  const outcome = result.verdict === 'ok' ? 'linearizable' : result.verdict === 'illegal' ? 'not-linearizable' : 'unknown'
  const verdict: Verdict = {
    linearizable: outcome === 'linearizable',
    outcome,
    ops: result.operations,
    keys: result.keys,
    checkMs: Math.round(checkMs),
    explanation: result.explanation,
  }
  const violation = result.violations[0]
  if (violation !== undefined) verdict.counterexample = counterexample(violation.key, violation.op, violation.lastLinearized, violation.reason, events)
  return verdict
}

function counterexample(key: string, stuck: Operation, lastLinearized: readonly Operation[], reason: string, events: readonly HistoryEvent[]): Counterexample {
  const originNs = events.length === 0 ? 0 : events[0]!.time
  // The window: from the first of the last linearized ops to the stuck op's end
  // (its invoke when it never returned); every op of the key that overlaps it.
  const from = Math.min(stuck.callNs, ...lastLinearized.map((op) => op.callNs))
  const to = Number.isFinite(stuck.returnNs) ? stuck.returnNs : stuck.callNs
  const keyOps = historyOperations(events).filter((op) => op.key === key)
  const overlapping = keyOps.filter((op) => op.callNs <= to && op.returnNs >= from)
  // Nearest to the stuck op first when there are too many, then back in time order.
  const chosen = new Set<number>([stuck.index, ...lastLinearized.map((op) => op.index)])
  for (const op of [...overlapping].sort((a, b) => distance(a, stuck) - distance(b, stuck))) {
    if (chosen.size >= MAX_COUNTEREXAMPLE_OPS) break
    chosen.add(op.index)
  }
  const byIndex = new Map(keyOps.map((op) => [op.index, op]))
  // The stuck op and the linearized ones come from the checker (an info put may carry
  // a due time there); draw the history's own version of each op.
  const ops = [...chosen].map((i) => byIndex.get(i) ?? (i === stuck.index ? stuck : lastLinearized.find((op) => op.index === i)!))
    .sort((a, b) => a.callNs - b.callNs || a.index - b.index)
  return {
    key,
    ops: ops.map((op) => historyOp(op, originNs)),
    stuck: ops.findIndex((op) => op.index === stuck.index),
    reason,
  }
}

function distance(op: Operation, stuck: Operation): number {
  return Math.abs(op.callNs - stuck.callNs)
}

function historyOp(op: Operation, originNs: number): HistoryOp {
  const ms = (ns: number): number => Math.round((ns - originNs) / 1e3) / 1e3
  return {
    client: op.process,
    f: op.f,
    key: op.key,
    value: op.value,
    invokeMs: ms(op.callNs),
    completeMs: op.outcome === 'info' || !Number.isFinite(op.returnNs) ? null : ms(op.returnNs),
    outcome: op.outcome,
  }
}
