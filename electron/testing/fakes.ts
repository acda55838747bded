// For tests of electron/: small stand-ins for ipcMain, WebContents and the control API.
import { EventEmitter } from 'node:events'
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron'
import { CONTROL_METHODS } from '../../main/control/methods.js'
import type { ControlApi, ControlMethodName, NotificationMap, Topic } from '../../main/control/types.js'

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>
type Listener = (event: IpcMainEvent, ...args: unknown[]) => void

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>()
  readonly listeners = new Map<string, Listener[]>()

  handle(channel: string, handler: Handler): void {
    this.handlers.set(channel, handler)
  }
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener])
    return this
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  removeAllListeners(channel?: string): this {
    if (channel) this.listeners.delete(channel)
    else this.listeners.clear()
    return this
  }

  invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`no handler on ${channel}`)
    return handler(event, ...args)
  }
  emit(channel: string, event: IpcMainEvent, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l(event, ...args)
  }
}

export interface FakeFrame {
  url: string
  parent: FakeFrame | null
}

export class FakeContents extends EventEmitter {
  static nextId = 1
  readonly id = FakeContents.nextId++
  readonly mainFrame: FakeFrame
  readonly sent: Array<[string, ...unknown[]]> = []
  destroyed = false

  constructor(url: string) {
    super()
    this.mainFrame = { url, parent: null }
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args])
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  destroy(): void {
    this.destroyed = true
    this.emit('destroyed')
  }
  asWebContents(): WebContents {
    return this as unknown as WebContents
  }
  /** An IPC event from this contents' top frame, or from `frame`. */
  event(frame: FakeFrame | null = this.mainFrame): IpcMainInvokeEvent & IpcMainEvent {
    return { sender: this, senderFrame: frame } as unknown as IpcMainInvokeEvent & IpcMainEvent
  }
}

/** A ControlApi that records every call and lets the test publish notifications. */
export function recordingApi(results: Partial<Record<ControlMethodName, (p: unknown) => unknown>> = {}) {
  const calls: Array<[ControlMethodName, unknown]> = []
  const subs = new Map<Topic, Set<(payload: never) => void>>()
  const methods = Object.fromEntries(CONTROL_METHODS.map((m) => [m, async (p: unknown) => {
    calls.push([m, p])
    return results[m]?.(p)
  }]))
  const api = {
    ...methods,
    subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void) {
      const set = subs.get(topic) ?? new Set()
      subs.set(topic, set)
      set.add(listener as (payload: never) => void)
      return () => {
        set.delete(listener as (payload: never) => void)
      }
    },
  } as unknown as ControlApi
  const publish = <T extends Topic>(topic: T, payload: NotificationMap[T]): void => {
    for (const l of subs.get(topic) ?? []) (l as (p: NotificationMap[T]) => void)(payload)
  }
  const subscriberCount = (topic: Topic): number => subs.get(topic)?.size ?? 0
  return { api, calls, publish, subscriberCount }
}
