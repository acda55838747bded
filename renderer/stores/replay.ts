// Replay: the recorded status samples (the control API's `timeline`, then every live
// sample as it arrives), and a position in them. Seeking puts the sample at or before
// that instant into the cluster store, so the Cluster and Network views show the past;
// live() hands them back to the live stream. Actions always apply to the cluster now.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ClusterView, TimelineSample } from '../../main/control/types'
import { useApi } from '../api'
import { useClusterStore } from './cluster'

/** About 20 minutes at the Supervisor's 2 samples a second (5 nodes: ~12 KiB of JSON each, ~28 MiB in all). */
export const MAX_REPLAY_SAMPLES = 2400
/** Live samples are kept at most this often (the recorded timeline's own pace). */
const LIVE_EVERY_MS = 450

/** The index of the last sample at or before t (0 when t is before all of them). */
export function sampleIndexAt(samples: readonly TimelineSample[], t: number): number {
  let lo = 0
  let hi = samples.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (samples[mid]!.timeMs <= t) lo = mid
    else hi = mid - 1
  }
  return lo
}

export const useReplayStore = defineStore('replay', () => {
  const cluster = useClusterStore()
  const samples = shallowRef<readonly TimelineSample[]>([])
  /** The instant shown; null: live. */
  const atMs = ref<number | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let unsubscribe: (() => void) | null = null

  const replaying = computed(() => atMs.value !== null)
  const firstMs = computed(() => samples.value[0]?.timeMs ?? null)
  const lastMs = computed(() => samples.value[samples.value.length - 1]?.timeMs ?? null)
  /** The sample on screen while replaying. */
  const current = computed(() => (atMs.value === null || samples.value.length === 0 ? null : samples.value[sampleIndexAt(samples.value, atMs.value)]!))
  /** Rough size of the buffer: the samples' JSON (measured on demand: it costs a pass). */
  const measureBytes = (): number => samples.value.reduce((sum, s) => sum + JSON.stringify(s.view).length, 0)

  function keep(next: readonly TimelineSample[]): void {
    samples.value = next.length > MAX_REPLAY_SAMPLES ? next.slice(next.length - MAX_REPLAY_SAMPLES) : next
  }

  function append(view: ClusterView): void {
    if (view.mode === 'none') return
    const last = samples.value[samples.value.length - 1]
    if (last !== undefined && view.timeMs - last.timeMs < LIVE_EVERY_MS) return
    keep([...samples.value, { timeMs: view.timeMs, view }])
  }

  /** Fetches the recorded timeline (all of it the Supervisor still has) and follows live samples. */
  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const recorded = await useApi().timeline({})
      const newest = recorded[recorded.length - 1]?.timeMs ?? -Infinity
      keep([...recorded, ...samples.value.filter((s) => s.timeMs > newest)])
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err)
    } finally {
      loading.value = false
    }
    unsubscribe ??= useApi().subscribe('status', append)
  }

  function seek(t: number): void {
    if (samples.value.length === 0) return
    atMs.value = t
    cluster.replaying = current.value!.view
  }

  /** Moves by whole samples (keyboard: arrow keys). */
  function stepBy(n: number): void {
    if (samples.value.length === 0) return
    const from = atMs.value === null ? samples.value.length - 1 : sampleIndexAt(samples.value, atMs.value)
    const i = Number.isFinite(n) ? Math.max(0, Math.min(samples.value.length - 1, from + n)) : n < 0 ? 0 : samples.value.length - 1
    seek(samples.value[i]!.timeMs)
  }

  function live(): void {
    atMs.value = null
    cluster.replaying = null
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return { samples, atMs, loading, error, replaying, firstMs, lastMs, current, measureBytes, load, seek, stepBy, live, stop, append }
})
