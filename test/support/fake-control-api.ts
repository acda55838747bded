// A small ControlApi for tests of the transports (web mode, IPC): every method answers
// from a few canned values, records its calls, and subscriptions can be fed by hand.
import { ControlError } from '../../main/control/errors.js'
import { CONTROL_METHODS } from '../../main/control/methods.js'
import type { ClusterView, ControlApi, ControlMethodName, NotificationMap, Topic, Unsubscribe } from '../../main/control/types.js'

export const FAKE_VIEW: ClusterView = { mode: 'local', leader: 2, term: 7, nodes: [], partition: null, links: [], workload: null, timeMs: 1 }

export interface FakeControlApi extends ControlApi {
  calls: { method: ControlMethodName; params: unknown }[]
  emit<T extends Topic>(topic: T, payload: NotificationMap[T]): void
  listeners(topic: Topic): number
}

export function fakeControlApi(overrides: Partial<Record<ControlMethodName, (params: unknown) => Promise<unknown>>> = {}): FakeControlApi {
  const calls: FakeControlApi['calls'] = []
  const listeners = new Map<Topic, Set<(payload: unknown) => void>>()
  const defaults: Partial<Record<ControlMethodName, (params: unknown) => Promise<unknown>>> = {
    status: async () => FAKE_VIEW,
    launch: async () => FAKE_VIEW,
    get: async (p) => ((p as { key?: unknown } | undefined)?.key === 'k' ? 'v' : null),
    kill: async (p) => {
      const id = (p as { id?: unknown } | undefined)?.id
      if (typeof id !== 'number') throw new ControlError('BAD_ARGUMENT', 'id must be a node id')
      if (id !== 1 && id !== 2 && id !== 3) throw new ControlError('UNKNOWN_NODE', `no node ${id}`)
    },
    put: async () => { throw new ControlError('KV_ERROR', 'no leader', 'NOT_LEADER') },
  }
  const api: Record<string, unknown> = {}
  for (const name of CONTROL_METHODS) {
    api[name] = async (params?: unknown) => {
      calls.push({ method: name, params })
      const impl = overrides[name] ?? defaults[name]
      return impl === undefined ? undefined : impl(params)
    }
  }
  api.subscribe = (topic: Topic, listener: (payload: unknown) => void): Unsubscribe => {
    let set = listeners.get(topic)
    if (set === undefined) listeners.set(topic, (set = new Set()))
    set.add(listener)
    return () => { set.delete(listener) }
  }
  api.calls = calls
  api.emit = (topic: Topic, payload: unknown) => { for (const l of listeners.get(topic) ?? []) l(payload) }
  api.listeners = (topic: Topic) => listeners.get(topic)?.size ?? 0
  return api as unknown as FakeControlApi
}
