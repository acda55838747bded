// The cluster's events in order (ClusterEvent.seq), bounded. On (re)connection it
// fetches what it missed since the last seq it holds, then follows the `event` topic.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { ClusterEvent } from '../../main/control/types'
import { useApi } from '../api'

export const MAX_EVENTS = 5000

export const useEventsStore = defineStore('events', () => {
  const events = shallowRef<readonly ClusterEvent[]>([])
  let lastSeq = 0
  let unsubscribe: (() => void)[] = []

  function add(batch: readonly ClusterEvent[]): void {
    const fresh = batch.filter((e) => e.seq > lastSeq).sort((a, b) => a.seq - b.seq)
    if (fresh.length === 0) return
    lastSeq = fresh[fresh.length - 1]!.seq
    const next = events.value.concat(fresh)
    events.value = next.length > MAX_EVENTS ? next.slice(next.length - MAX_EVENTS) : next
  }

  async function catchUp(): Promise<void> {
    try {
      add(await useApi().events({ sinceSeq: lastSeq }))
    } catch {
      // No cluster yet, or the connection dropped again: the next `open` retries.
    }
  }

  function connect(): void {
    if (unsubscribe.length > 0) return
    const api = useApi()
    unsubscribe = [
      api.subscribe('event', (e) => add([e])),
      api.onConnection((state) => {
        if (state === 'open') void catchUp()
      }),
    ]
  }

  function disconnect(): void {
    for (const u of unsubscribe) u()
    unsubscribe = []
  }

  return { events, connect, disconnect, catchUp }
})
