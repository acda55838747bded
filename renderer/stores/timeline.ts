// What the Timeline view draws: the chart series (one point per status sample, bounded),
// filled from the recorded timeline when it connects, then from the live status stream.
// (Fault bands come from the events store: timeline/fault-bands.ts.)
// The arrays are not reactive (a chart redraws from them); `version` says they changed.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ClusterView } from '../../main/control/types'
import { useApi } from '../api'
import { nodeIds, pointOf, type SeriesPoint } from '../timeline/series'

/** 10 minutes at 4 Hz. */
export const MAX_POINTS = 2400

export const useTimelineStore = defineStore('timeline', () => {
  let points: SeriesPoint[] = []
  const version = ref(0)
  let unsubscribe: (() => void)[] = []

  function push(view: ClusterView): void {
    if (view.mode === 'none') return
    const last = points[points.length - 1]
    if (last !== undefined && view.timeMs <= last.timeMs) return
    points.push(pointOf(view))
    if (points.length > MAX_POINTS * 1.25) points = points.slice(points.length - MAX_POINTS)
    version.value += 1
  }

  async function backfill(): Promise<void> {
    try {
      const recorded = await useApi().timeline({ fromMs: Date.now() - 10 * 60_000 })
      const older = recorded.filter((s) => points.length === 0 || s.timeMs < points[0]!.timeMs).map((s) => pointOf(s.view))
      points = [...older, ...points].slice(-MAX_POINTS)
      version.value += 1
    } catch {
      // No cluster yet: the live stream fills it.
    }
  }

  function connect(): void {
    if (unsubscribe.length > 0) return
    const api = useApi()
    unsubscribe = [
      api.subscribe('status', push),
      api.onConnection((state) => {
        if (state === 'open') void backfill()
      }),
    ]
  }

  function disconnect(): void {
    for (const u of unsubscribe) u()
    unsubscribe = []
  }

  return {
    version, connect, disconnect, push,
    points: (): readonly SeriesPoint[] => points,
    nodeIds: () => nodeIds(points),
  }
})
