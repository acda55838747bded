// The control API over IPC, main side. Every message is checked twice before it reaches
// the Supervisor: its sender (a window we opened, its top frame, on our own origin) and
// its arguments (main/control/validate.ts). Replies carry ControlErrorData, never a throw.
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron'
import { ControlError } from '../main/control/errors.js'
import { isControlMethod, isTopic } from '../main/control/methods.js'
import type { ControlApi, ControlErrorData, Topic, Unsubscribe } from '../main/control/types.js'
import { validateParams } from '../main/control/validate.js'
import { CHANNELS, type CallReply } from './ipc-channels.js'

type SenderEvent = IpcMainEvent | IpcMainInvokeEvent

/** Which senders may use the control API: windows we registered, top frame, our origin. */
export class TrustedSenders {
  private readonly ids = new Set<number>()

  constructor(private readonly origin: string) {}

  allow(contents: WebContents): void {
    this.ids.add(contents.id)
    contents.once('destroyed', () => this.ids.delete(contents.id))
  }

  isTrusted(event: SenderEvent): boolean {
    const frame = event.senderFrame
    if (!frame || !this.ids.has(event.sender.id)) return false
    if (frame !== event.sender.mainFrame || frame.parent !== null) return false
    return originOf(frame.url) === this.origin
  }
}

export function originOf(url: string): string | null {
  try {
    const u = new URL(url)
    // URL gives custom schemes an opaque origin ("null"): rebuild it from scheme and host.
    return u.origin !== 'null' ? u.origin : `${u.protocol}//${u.host}`
  } catch {
    return null
  }
}

/** The part of Electron's ipcMain this module uses. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
  removeHandler(channel: string): void
  removeAllListeners(channel: string): unknown
}

export interface IpcOptions {
  ipcMain: IpcMainPort
  api: ControlApi
  senders: TrustedSenders
  /** Asks the user where to write an export (a save dialog); null when dismissed. */
  chooseExportPath: (contents: WebContents) => Promise<string | null>
}

function errorData(err: unknown): ControlErrorData {
  if (err instanceof ControlError) return err.toData()
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message }
}

const refusal = (code: ControlErrorData['code'], message: string): CallReply => ({ ok: false, error: { code, message } })

/** Registers the call and subscription channels; returns the function that removes them. */
export function registerControlIpc(opts: IpcOptions): () => void {
  const { ipcMain, api, senders } = opts
  const subscriptions = new Map<number, Map<Topic, Unsubscribe>>()

  async function call(event: IpcMainInvokeEvent, method: unknown, params: unknown): Promise<CallReply> {
    if (!senders.isTrusted(event)) return refusal('UNAUTHORIZED', 'this frame may not use the control API')
    if (!isControlMethod(method)) return refusal('BAD_ARGUMENT', `unknown method ${String(method)}`)
    try {
      if (method === 'exportBundle') {
        // The renderer never names a file: the user picks it in main's save dialog.
        const p = validateParams('exportBundle', params)
        if (p?.path !== undefined) return refusal('BAD_ARGUMENT', 'exportBundle.path: the desktop app asks for the file in a save dialog')
        const path = await opts.chooseExportPath(event.sender)
        if (path === null) return refusal('CANCELLED', 'export cancelled')
        return { ok: true, value: await api.exportBundle({ path }) }
      }
      const valid = validateParams(method, params)
      const fn = api[method] as (p: unknown) => Promise<unknown>
      const value = await fn.call(api, valid)
      return { ok: true, value: value ?? null }
    } catch (err) {
      return { ok: false, error: errorData(err) }
    }
  }

  function dropAll(id: number): void {
    const subs = subscriptions.get(id)
    if (!subs) return
    for (const unsubscribe of subs.values()) unsubscribe()
    subscriptions.delete(id)
  }

  function subscribe(event: IpcMainEvent, topic: unknown): void {
    if (!senders.isTrusted(event) || !isTopic(topic)) return
    const contents = event.sender
    let subs = subscriptions.get(contents.id)
    if (!subs) {
      subs = new Map()
      subscriptions.set(contents.id, subs)
      const id = contents.id
      contents.once('destroyed', () => dropAll(id))
      contents.on('render-process-gone', () => dropAll(id))
    }
    if (subs.has(topic)) return // one forwarder per topic and window; the preload fans out
    subs.set(topic, api.subscribe(topic, (payload) => {
      if (!contents.isDestroyed()) contents.send(CHANNELS.notify, topic, payload)
    }))
  }

  function unsubscribe(event: IpcMainEvent, topic: unknown): void {
    if (!senders.isTrusted(event) || !isTopic(topic)) return
    const subs = subscriptions.get(event.sender.id)
    subs?.get(topic)?.()
    subs?.delete(topic)
  }

  ipcMain.handle(CHANNELS.call, call)
  ipcMain.on(CHANNELS.subscribe, subscribe)
  ipcMain.on(CHANNELS.unsubscribe, unsubscribe)
  return () => {
    ipcMain.removeHandler(CHANNELS.call)
    ipcMain.removeAllListeners(CHANNELS.subscribe)
    ipcMain.removeAllListeners(CHANNELS.unsubscribe)
    for (const id of [...subscriptions.keys()]) dropAll(id)
  }
}
