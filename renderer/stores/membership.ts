// Membership changes started from the dashboard: the node being added and how far it
// has come (process up, in the leader's configuration, applied index caught up).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useClusterStore } from './cluster'

export interface CatchUp {
  id: number
  running: boolean
  /** The leader lists it among its members. */
  member: boolean
  applied: number
  target: number
  /** applied / target in [0, 1]. */
  fraction: number
  caughtUp: boolean
  /** A snapshot is on its way to it. */
  bySnapshot: boolean
}

export const useMembershipStore = defineStore('membership', () => {
  const cluster = useClusterStore()
  const addedId = ref<number | null>(null)

  const voters = computed(() => {
    const source = cluster.leaderNode ?? cluster.nodes.find((n) => n.status !== null)
    return source?.status?.members.map((m) => m.id).sort((a, b) => a - b) ?? []
  })

  const catchUp = computed<CatchUp | null>(() => {
    const id = addedId.value
    if (id === null) return null
    const node = cluster.nodes.find((n) => n.id === id)
    const leader = cluster.leaderNode?.status ?? null
    const applied = node?.status?.appliedIndex ?? 0
    const target = leader?.appliedIndex ?? 0
    const fraction = target === 0 ? 0 : Math.min(1, applied / target)
    return {
      id,
      running: node?.process.state === 'running',
      member: leader?.members.some((m) => m.id === id) ?? false,
      applied,
      target,
      fraction,
      caughtUp: target > 0 && applied >= target,
      bySnapshot: leader?.snapshots.transfers.some((t) => t.peer === id && t.state !== 'done' && t.state !== 'failed') ?? false,
    }
  })

  async function addNode(): Promise<void> {
    const added = await cluster.addNode()
    if (added !== undefined) addedId.value = added.id
  }

  async function removeNode(id: number): Promise<void> {
    await cluster.nodeAction('removeNode', id)
    if (addedId.value === id) addedId.value = null
  }

  return { addedId, voters, catchUp, addNode, removeNode }
})
