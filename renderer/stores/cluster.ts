// The cluster as the Supervisor last described it (status notifications, ≥ 4 Hz), and
// every action that changes it. What the views show comes from the notifications; an
// action's reply only says done, or the error to show in place.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AttachSpec, ClusterView, LaunchSpec, LinkFaultsSpec, NodeView } from '../../main/control/types'
import { useApi, type ConnectionState } from '../api'
import { createActionTracker } from './action-tracker'
import { indexRange } from './index-range'

export type NodeAction = 'kill' | 'stop' | 'start' | 'restart' | 'pause' | 'resume' | 'isolate' | 'transferLeader' | 'removeNode'

export const useClusterStore = defineStore('cluster', () => {
  /** The newest status sample. */
  const live = shallowRef<ClusterView | null>(null)
  /** A recorded sample to show instead of live (the replay view sets it; null: live). */
  const replaying = shallowRef<ClusterView | null>(null)
  const connection = ref<ConnectionState>('connecting')
  /** Status samples received (the views' update rate is measured against it). */
  const samples = ref(0)
  const actions = createActionTracker()

  const view = computed(() => replaying.value ?? live.value)
  const running = computed(() => view.value !== null && view.value.mode !== 'none')
  const nodes = computed<readonly NodeView[]>(() => view.value?.nodes ?? [])
  const leader = computed(() => view.value?.leader ?? 0)
  const term = computed(() => view.value?.term ?? 0)
  const range = computed(() => indexRange(nodes.value))
  const leaderNode = computed(() => nodes.value.find((n) => n.id === leader.value) ?? null)

  let unsubscribe: (() => void)[] = []

  function accept(next: ClusterView): void {
    live.value = next
    samples.value += 1
  }

  async function refresh(): Promise<void> {
    await actions.run('status', async () => accept(await useApi().status()))
  }

  /** Starts following the Supervisor (idempotent). */
  function connect(): void {
    if (unsubscribe.length > 0) return
    const api = useApi()
    unsubscribe = [
      api.subscribe('status', accept),
      api.onConnection((state) => {
        connection.value = state
        if (state === 'open') void refresh()
      }),
    ]
  }

  function disconnect(): void {
    for (const u of unsubscribe) u()
    unsubscribe = []
  }

  const launch = (spec: LaunchSpec) => actions.run('launch', async () => accept(await useApi().launch(spec)))
  const attach = (spec: AttachSpec) => actions.run('attach', async () => accept(await useApi().attach(spec)))
  const shutdown = () => actions.run('shutdown', () => useApi().shutdown())
  const detach = () => actions.run('shutdown', () => useApi().detach())
  const nodeAction = (action: NodeAction, id: number) => actions.run(`node:${id}`, () => useApi()[action]({ id }))
  const addNode = () => actions.run('membership', () => useApi().addNode())
  const partition = (groups: number[][]) => actions.run('network', () => useApi().partition({ groups }))
  const heal = () => actions.run('network', () => useApi().heal())
  const setLinkFaults = (specs: LinkFaultsSpec[]) =>
    actions.run('network', async () => {
      for (const s of specs) await useApi().setLinkFaults(s)
    })

  return {
    live, replaying, connection, samples, view, running, nodes, leader, term, range, leaderNode,
    pending: actions.pending, errors: actions.errors, dismiss: actions.dismiss,
    connect, disconnect, refresh, launch, attach, shutdown, detach, nodeAction, addNode, partition, heal, setLinkFaults,
  }
})
