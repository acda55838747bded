// The preload: one narrow typed global, window.raftkv (DesktopBridge). One function per
// control-API method, subscribe(topic, listener) returning its unsubscribe function, and
// onMenu for the menu's commands. ipcRenderer itself never reaches the page, nor do IPC
// event objects. Bundled to CJS so that it loads with sandbox: true.
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRenderer } from 'electron'
import { CONTROL_METHODS, isTopic } from '../main/control/methods.js'
import type {
  ControlErrorData, ControlMethodName, DesktopBridge, MenuCommand, NotificationMap, Topic, Unsubscribe,
} from '../main/control/types.js'
import { CHANNELS, type CallReply } from './ipc-channels.js'

type Listener = (payload: unknown) => void
type IpcPort = Pick<IpcRenderer, 'invoke' | 'send' | 'on'>

function badArgument(message: string): ControlErrorData {
  return { code: 'BAD_ARGUMENT', message }
}

/** Builds the bridge over an ipcRenderer (exported for tests; the page only sees the result). */
export function createBridge(ipc: IpcPort): DesktopBridge {
  const listeners = new Map<Topic, Set<Listener>>()
  const menuListeners = new Set<(command: MenuCommand) => void>()

  ipc.on(CHANNELS.notify, (_event, topic: unknown, payload: unknown) => {
    if (!isTopic(topic)) return
    for (const listener of [...(listeners.get(topic) ?? [])]) {
      try {
        listener(payload)
      } catch (err) {
        console.error(`raftkv: a ${topic} listener threw`, err)
      }
    }
  })
  ipc.on(CHANNELS.menu, (_event, command: unknown) => {
    if (command !== 'attach') return
    for (const listener of [...menuListeners]) listener(command)
  })

  const call = (method: ControlMethodName) => async (params?: unknown): Promise<unknown> => {
    const reply = (await ipc.invoke(CHANNELS.call, method, params)) as CallReply
    if (reply.ok) return reply.value
    throw reply.error
  }

  const methods = Object.fromEntries(CONTROL_METHODS.map((m) => [m, call(m)]))

  function subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void): Unsubscribe {
    if (!isTopic(topic)) throw badArgument(`subscribe: unknown topic ${String(topic)}`)
    if (typeof listener !== 'function') throw badArgument('subscribe: the listener must be a function')
    let set = listeners.get(topic)
    if (!set) {
      set = new Set()
      listeners.set(topic, set)
    }
    // Each subscription is its own entry, so the same function subscribed twice needs two unsubscribes.
    const entry: Listener = (payload) => listener(payload as NotificationMap[T])
    if (set.size === 0) ipc.send(CHANNELS.subscribe, topic)
    set.add(entry)
    let done = false
    return () => {
      if (done) return
      done = true
      set.delete(entry)
      if (set.size === 0) ipc.send(CHANNELS.unsubscribe, topic)
    }
  }

  function onMenu(listener: (command: MenuCommand) => void): Unsubscribe {
    if (typeof listener !== 'function') throw badArgument('onMenu: the listener must be a function')
    const entry = (command: MenuCommand): void => listener(command)
    menuListeners.add(entry)
    return () => {
      menuListeners.delete(entry)
    }
  }

  return Object.freeze({ ...methods, subscribe, onMenu }) as DesktopBridge
}

contextBridge.exposeInMainWorld('raftkv', createBridge(ipcRenderer))
