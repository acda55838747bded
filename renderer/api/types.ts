// What the dashboard sees of the control API, whatever carries it (the Electron preload
// or the web-mode WebSocket). Views and stores use only this.
import type { ControlApi, ControlMethods, NotificationMap, Topic, Unsubscribe } from '../../main/control/types'

/** The preload's global (`window.raftkv`): one function per control-API method and
 * `subscribe(topic, listener) → unsubscribe`. A rejected call rejects with a
 * ControlErrorData-shaped value (`{code, message, kvCode?}`, plain object or Error). */
export type RaftkvPreload = ControlApi

declare global {
  interface Window {
    raftkv?: RaftkvPreload
  }
}

/** 'open' once calls can go through; the preload is always open. */
export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface DashboardApi extends ControlMethods {
  subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void): Unsubscribe
  onConnection(listener: (state: ConnectionState) => void): Unsubscribe
  /** Closes the transport (web mode); the preload ignores it. */
  close(): void
}
