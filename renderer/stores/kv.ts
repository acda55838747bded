// The KV console: get / put / delete / scan against the cluster through the control
// API, newest first, each with its outcome or its error in words.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { KeyValue } from '../../main/control/types'
import { errorInWords, useApi } from '../api'

export type KvOp =
  | { op: 'get'; key: string }
  | { op: 'put'; key: string; value: string }
  | { op: 'delete'; key: string }
  | { op: 'scan'; start: string; end: string; limit: number }

export interface KvEntry {
  seq: number
  request: KvOp
  /** get: the value (null: absent); scan: the pairs; put/delete: null. */
  result?: string | null | KeyValue[]
  error?: string
  ms: number
}

export const MAX_ENTRIES = 50

export const useKvStore = defineStore('kv', () => {
  const entries = ref<KvEntry[]>([])
  const pending = ref(false)
  let seq = 0

  async function send(request: KvOp): Promise<KvEntry> {
    const api = useApi()
    const started = performance.now()
    pending.value = true
    const entry: KvEntry = { seq: ++seq, request, ms: 0 }
    try {
      switch (request.op) {
        case 'get': entry.result = await api.get({ key: request.key }); break
        case 'put': await api.put({ key: request.key, value: request.value }); entry.result = null; break
        case 'delete': await api.delete({ key: request.key }); entry.result = null; break
        case 'scan': entry.result = await api.scan({ start: request.start, end: request.end, limit: request.limit }); break
      }
    } catch (e) {
      entry.error = errorInWords(e)
    } finally {
      pending.value = false
      entry.ms = Math.round(performance.now() - started)
    }
    entries.value = [entry, ...entries.value].slice(0, MAX_ENTRIES)
    return entry
  }

  function clear(): void {
    entries.value = []
  }

  return { entries, pending, send, clear }
})
