// What the dashboard sees of the control API, whatever carries it (the Electron preload
// or the web-mode WebSocket). Views and stores use only this.
import type { ControlMethods, DesktopBridge, MenuCommand, NotificationMap, Topic, Unsubscribe } from '../../main/control/types'

/** The preload's global (`window.raftkv`): one function per control-API method,
 * `subscribe(topic, listener) → unsubscribe` and `onMenu`. A rejected call rejects with a
 * ControlErrorData-shaped value (`{code, message, kvCode?}`). */
export type RaftkvPreload = DesktopBridge

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
  /** The desktop menu's commands (web mode has no menu: never called there). */
  onMenu(listener: (command: MenuCommand) => void): Unsubscribe
  /** Closes the transport (web mode); the preload ignores it. */
  close(): void
}
