// The one index axis all node cards share: from the lowest first index to the highest
// last index any node reports, so a lagging node shows as a visibly shorter bar.
import type { NodeView } from '../../main/control/types'

export interface IndexRange {
  lo: number
  hi: number
}

export function indexRange(nodes: readonly NodeView[]): IndexRange {
  let lo = Infinity
  let hi = 0
  for (const n of nodes) {
    if (n.status === null) continue
    lo = Math.min(lo, n.status.truncatedIndex, n.status.firstIndex - 1)
    hi = Math.max(hi, n.status.lastIndex, n.status.commitIndex)
  }
  if (lo === Infinity) return { lo: 0, hi: 1 }
  lo = Math.max(0, lo)
  return { lo, hi: Math.max(hi, lo + 1) }
}

/** Where `index` falls on the axis, in percent [0, 100]. */
export function axisPercent(range: IndexRange, index: number): number {
  const p = ((index - range.lo) / (range.hi - range.lo)) * 100
  return Math.min(100, Math.max(0, p))
}
