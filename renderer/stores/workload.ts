// Checked workloads: the spec being edited, the run's progress per second (ops/s,
// errors, latency), its verdict at the end; and the verdict of a history file checked
// with checkHistory. The Cluster's own status also carries the run (after a reload).
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { LatencyFigures, NemesisKind, Verdict, WorkloadNotification, WorkloadSpec, WorkloadState } from '../../main/control/types'
import { errorInWords, useApi } from '../api'
import { useClusterStore } from './cluster'

export interface ProgressPoint {
  elapsedMs: number
  opsPerSec: number
  errorsPerSec: number
  latency: LatencyFigures
}

export interface NemesisRow {
  kind: NemesisKind
  everySec: number
  forSec: number
}

export interface SpecForm {
  clients: number
  durationSec: number
  keys: number
  readPercent: number
  nemesis: NemesisRow[]
}

export const DEFAULT_FORM: SpecForm = { clients: 4, durationSec: 10, keys: 5, readPercent: 50, nemesis: [{ kind: 'kill', everySec: 4, forSec: 2 }] }

export function specOf(form: SpecForm): WorkloadSpec {
  return {
    clients: form.clients,
    durationMs: Math.round(form.durationSec * 1000),
    keys: form.keys,
    getRatio: form.readPercent / 100,
    nemesis: form.nemesis.map((n) => ({ kind: n.kind, everyMs: Math.round(n.everySec * 1000), forMs: Math.round(n.forSec * 1000) })),
  }
}

export const useWorkloadStore = defineStore('workload', () => {
  const cluster = useClusterStore()
  const form = reactive<SpecForm>(structuredClone(DEFAULT_FORM))
  const runId = ref<string | null>(null)
  const state = ref<WorkloadState | null>(null)
  const progress = shallowRef<readonly ProgressPoint[]>([])
  const totals = reactive({ ops: 0, errors: 0 })
  const verdict = shallowRef<Verdict | null>(null)
  /** Why a run ended without a verdict. */
  const reason = ref<string | null>(null)
  const error = ref<string | null>(null)
  const starting = ref(false)

  const fileVerdict = shallowRef<Verdict | null>(null)
  const fileName = ref<string | null>(null)
  const fileError = ref<string | null>(null)
  const checking = ref(false)

  const latest = computed(() => progress.value[progress.value.length - 1] ?? null)
  const running = computed(() => state.value === 'running' || state.value === 'checking' || cluster.live?.workload?.state === 'running')

  let unsubscribe: (() => void) | null = null

  function onNotification(n: WorkloadNotification): void {
    if (runId.value !== null && n.runId !== runId.value) {
      // Another caller's run (the CLI, a second window): follow it from now on.
      progress.value = []
      verdict.value = null
    }
    runId.value = n.runId
    totals.ops = n.ops
    totals.errors = n.errors
    if (n.kind === 'progress') {
      state.value = 'running'
      progress.value = [...progress.value, { elapsedMs: n.elapsedMs, opsPerSec: n.opsPerSec, errorsPerSec: n.errorsPerSec, latency: n.latency }]
    } else {
      state.value = n.state
      verdict.value = n.verdict
      reason.value = n.reason ?? null
    }
  }

  function connect(): void {
    unsubscribe ??= useApi().subscribe('workload', onNotification)
  }

  function disconnect(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  async function start(): Promise<void> {
    starting.value = true
    error.value = null
    try {
      const spec = specOf(form)
      progress.value = []
      verdict.value = null
      reason.value = null
      totals.ops = totals.errors = 0
      const r = await useApi().startWorkload(spec)
      runId.value = r.runId
      state.value = 'running'
    } catch (err) {
      error.value = errorInWords(err)
    } finally {
      starting.value = false
    }
  }

  async function stop(): Promise<void> {
    try {
      await useApi().stopWorkload()
    } catch (err) {
      error.value = errorInWords(err)
    }
  }

  async function checkFile(name: string, ndjson: string): Promise<void> {
    checking.value = true
    fileError.value = null
    fileVerdict.value = null
    fileName.value = name
    try {
      fileVerdict.value = await useApi().checkHistory({ ndjson })
    } catch (err) {
      fileError.value = errorInWords(err)
    } finally {
      checking.value = false
    }
  }

  function addNemesis(): void {
    form.nemesis.push({ kind: 'partition', everySec: 5, forSec: 2 })
  }

  function removeNemesis(i: number): void {
    form.nemesis.splice(i, 1)
  }

  return {
    form, runId, state, progress, totals, verdict, reason, error, starting, latest, running,
    fileVerdict, fileName, fileError, checking,
    connect, disconnect, start, stop, checkFile, addNemesis, removeNemesis, onNotification,
  }
})
