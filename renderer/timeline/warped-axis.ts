// The counterexample's time axis, warped as porcupine's visualisation does: the
// distinct invoke/complete instants in order, each at least a gap right of the previous
// one and far enough right of its operations' invokes for their labels to fit. Order is
// kept; durations are not to scale.
import type { HistoryOp } from '../../main/control/types'

export interface WarpedLayout {
  /** x of each op's invoke and complete (complete: the right edge when it never returned). */
  bars: { x0: number; x1: number; open: boolean }[]
  width: number
}

export function opLabel(op: HistoryOp): string {
  if (op.f === 'put') return `put ${op.value ?? ''}`
  if (op.f === 'delete') return 'delete'
  return op.outcome === 'info' ? 'get → ?' : `get → ${op.value ?? '∅'}`
}

export function warpedLayout(ops: readonly HistoryOp[], opts: { gap?: number; charWidth?: number; pad?: number; openTail?: number } = {}): WarpedLayout {
  const gap = opts.gap ?? 14
  const charWidth = opts.charWidth ?? 7
  const pad = opts.pad ?? 16
  const openTail = opts.openTail ?? 60
  const times = [...new Set(ops.flatMap((op) => (op.completeMs === null ? [op.invokeMs] : [op.invokeMs, op.completeMs])))].sort((a, b) => a - b)
  const x = new Map<number, number>()
  let prev = -Infinity
  for (const t of times) {
    let at = prev === -Infinity ? 0 : prev + gap
    for (const op of ops) {
      if (op.completeMs !== t) continue
      const start = x.get(op.invokeMs)
      if (start !== undefined) at = Math.max(at, start + pad + charWidth * opLabel(op).length)
    }
    x.set(t, at)
    prev = at
  }
  const right = (prev === -Infinity ? 0 : prev) + openTail
  const bars = ops.map((op) => {
    const x0 = x.get(op.invokeMs)!
    if (op.completeMs === null) return { x0, x1: Math.max(right, x0 + pad + charWidth * opLabel(op).length), open: true }
    return { x0, x1: x.get(op.completeMs)!, open: false }
  })
  return { bars, width: Math.max(right, ...bars.map((b) => b.x1)) }
}
