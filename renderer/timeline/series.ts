// The chart series of the Timeline view, kept as one compact point per status sample in
// a bounded ring: term and commit index per node, ops/s and p99 of the workload.
import type { ClusterView } from '../../main/control/types'

export interface SeriesPoint {
  timeMs: number
  /** node id → term / commit index (absent: the node did not answer). */
  term: Map<number, number>
  commit: Map<number, number>
  opsPerSec: number | null
  p99Ms: number | null
}

export function pointOf(view: ClusterView): SeriesPoint {
  const term = new Map<number, number>()
  const commit = new Map<number, number>()
  for (const n of view.nodes) {
    if (n.status === null) continue
    term.set(n.id, n.status.term)
    commit.set(n.id, n.status.commitIndex)
  }
  const w = view.workload
  const running = w !== null && w.state === 'running'
  return { timeMs: view.timeMs, term, commit, opsPerSec: running ? w.opsPerSec : null, p99Ms: running ? w.p99Ms : null }
}

/** uPlot's aligned data: x in seconds, then one array per series (null: a gap). */
export type Columns = [number[], ...(number | null)[][]]

export function perNodeColumns(points: readonly SeriesPoint[], ids: readonly number[], pick: (p: SeriesPoint) => Map<number, number>): Columns {
  const x = points.map((p) => p.timeMs / 1000)
  return [x, ...ids.map((id) => points.map((p) => pick(p).get(id) ?? null))]
}

export function workloadColumns(points: readonly SeriesPoint[], pick: (p: SeriesPoint) => number | null): Columns {
  return [points.map((p) => p.timeMs / 1000), points.map(pick)]
}

export function nodeIds(points: readonly SeriesPoint[]): number[] {
  const ids = new Set<number>()
  for (const p of points) for (const id of p.term.keys()) ids.add(id)
  return [...ids].sort((a, b) => a - b)
}
