// The control API's method names at run time. renderer/ may import only the types of
// main/control, so the list is repeated here; the Record makes the compiler check it
// against ControlMethods (a missing or extra name fails typecheck).
import type { ControlMethodName, ControlMethods } from '../../main/control/types'

const NAMES: Record<ControlMethodName, true> = {
  launch: true, shutdown: true, attach: true, detach: true,
  kill: true, stop: true, start: true, restart: true, pause: true, resume: true,
  partition: true, isolate: true, heal: true, setLinkFaults: true,
  addNode: true, removeNode: true, transferLeader: true,
  get: true, put: true, delete: true, scan: true,
  startWorkload: true, stopWorkload: true, checkHistory: true,
  status: true, events: true, logs: true, timeline: true, exportBundle: true,
}

export const METHOD_NAMES = Object.keys(NAMES) as ControlMethodName[]

/** ControlMethods whose every method forwards to `call(name, params)`. */
export function methodsCalling(call: (name: ControlMethodName, params: unknown) => Promise<unknown>): ControlMethods {
  const methods: Record<string, (params?: unknown) => Promise<unknown>> = {}
  for (const name of METHOD_NAMES) methods[name] = (params?: unknown) => call(name, params)
  return methods as unknown as ControlMethods
}
