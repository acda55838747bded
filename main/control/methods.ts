// The control API's method names as a runtime list (IPC, preload and JSON-RPC
// dispatch use it). The record below makes the compiler check it against
// ControlMethods: a method added there and not here (or the reverse) fails typecheck.
import type { ControlMethodName, Topic } from './types.js'

const METHODS: Record<ControlMethodName, true> = {
  launch: true, shutdown: true, attach: true, detach: true,
  kill: true, stop: true, start: true, restart: true, pause: true, resume: true,
  partition: true, isolate: true, heal: true, setLinkFaults: true,
  addNode: true, removeNode: true, transferLeader: true,
  get: true, put: true, delete: true, scan: true,
  startWorkload: true, stopWorkload: true, checkHistory: true,
  status: true, events: true, logs: true, timeline: true, exportBundle: true,
}

export const CONTROL_METHODS: readonly ControlMethodName[] = Object.freeze(Object.keys(METHODS) as ControlMethodName[])

export function isControlMethod(name: unknown): name is ControlMethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHODS, name)
}

const TOPICS: Record<Topic, true> = { status: true, event: true, log: true, workload: true }

/** The notification topics as a runtime list (checked against Topic like the methods). */
export const CONTROL_TOPICS: readonly Topic[] = Object.freeze(Object.keys(TOPICS) as Topic[])

export function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TOPICS, value)
}
