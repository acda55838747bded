// The IPC channels between electron/preload.ts and electron/ipc.ts, and the reply of a call.
// A reply carries its error as data: Electron's invoke() would flatten a thrown error to a
// message string.
import type { ControlErrorData } from '../main/control/types.js'

export const CHANNELS = {
  /** invoke(method, params) → CallReply */
  call: 'raftkv:call',
  /** send(topic): start forwarding that topic's notifications to this window */
  subscribe: 'raftkv:subscribe',
  /** send(topic): stop forwarding it */
  unsubscribe: 'raftkv:unsubscribe',
  /** main → renderer: (topic, payload) */
  notify: 'raftkv:notify',
  /** main → renderer: (MenuCommand) */
  menu: 'raftkv:menu',
} as const

export type CallReply = { ok: true; value: unknown } | { ok: false; error: ControlErrorData }
