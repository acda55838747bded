// The nodes' log lines: the newest ones fetched on connection, then the `log` stream,
// in a bounded buffer. Filters apply here; "around an event" fetches the lines of a
// window around its time from the Supervisor (the buffer may no longer hold them).
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { LogLine } from '../../main/control/types'
import { errorInWords, useApi } from '../api'
import { exportBundle, type ExportOutcome } from '../logs/export-bundle'
import { keepLine, type LogFilter } from '../logs/log-filter'

export const MAX_LINES = 20_000
/** Lines shown at once (the newest that match). */
export const SHOWN_LINES = 500
/** "Around an event": this much before and after it. */
export const AROUND_MS = 3000

export const useLogsStore = defineStore('logs', () => {
  const lines = shallowRef<readonly LogLine[]>([])
  const filter = reactive<LogFilter>({ node: 0, level: 'info', text: '' })
  /** While set, the view shows the lines around this instant instead of the live tail. */
  const around = shallowRef<{ timeMs: number; label: string; lines: readonly LogLine[] } | null>(null)
  const error = ref<string | null>(null)
  const exported = shallowRef<ExportOutcome | null>(null)
  const exporting = ref(false)
  let unsubscribe: (() => void)[] = []

  const shown = computed(() => {
    const keep = keepLine(filter)
    const source = around.value?.lines ?? lines.value
    const out: LogLine[] = []
    for (let i = source.length - 1; i >= 0 && out.length < SHOWN_LINES; i--) if (keep(source[i]!)) out.push(source[i]!)
    return out.reverse()
  })

  function add(batch: readonly LogLine[]): void {
    if (batch.length === 0) return
    const next = lines.value.concat(batch)
    lines.value = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next
  }

  async function backfill(): Promise<void> {
    try {
      const newest = lines.value[0]?.timeMs
      const older = await useApi().logs({ limit: 2000, level: 'trace', ...(newest === undefined ? {} : { untilMs: newest - 1 }) })
      lines.value = [...older, ...lines.value].slice(-MAX_LINES)
    } catch {
      // No cluster yet.
    }
  }

  function connect(): void {
    if (unsubscribe.length > 0) return
    const api = useApi()
    unsubscribe = [
      api.subscribe('log', add),
      api.onConnection((state) => {
        if (state === 'open') void backfill()
      }),
    ]
  }

  function disconnect(): void {
    for (const u of unsubscribe) u()
    unsubscribe = []
  }

  async function showAround(timeMs: number, label: string, node?: number): Promise<void> {
    error.value = null
    try {
      const found = await useApi().logs({ sinceMs: timeMs - AROUND_MS, untilMs: timeMs + AROUND_MS, level: 'trace', limit: 2000 })
      around.value = { timeMs, label, lines: found }
      filter.node = node ?? 0
    } catch (err) {
      error.value = errorInWords(err)
    }
  }

  function backToTail(): void {
    around.value = null
  }

  async function exportLogs(): Promise<void> {
    exporting.value = true
    error.value = null
    try {
      exported.value = await exportBundle()
    } catch (err) {
      error.value = errorInWords(err)
    } finally {
      exporting.value = false
    }
  }

  return { lines, filter, around, error, exported, exporting, shown, connect, disconnect, add, showAround, backToTail, exportLogs }
})
