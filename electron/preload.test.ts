import { beforeEach, describe, expect, it, vi } from 'vitest'
import { CONTROL_METHODS } from '../main/control/methods.js'
import { VALID_PARAMS } from '../main/control/testing/sample-params.js'
import type { ClusterView, DesktopBridge, MenuCommand } from '../main/control/types.js'
import { CHANNELS } from './ipc-channels.js'

type OnListener = (event: unknown, ...args: unknown[]) => void

const electron = vi.hoisted(() => {
  const on = new Map<string, OnListener[]>()
  return {
    on,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      invoke: vi.fn(async (_channel: string, _method: string, _params: unknown): Promise<unknown> => ({ ok: true, value: null })),
      send: vi.fn(),
      on: vi.fn((channel: string, listener: OnListener) => {
        on.set(channel, [...(on.get(channel) ?? []), listener])
      }),
      removeAllListeners: vi.fn(),
    },
  }
})
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }))

const { createBridge } = await import('./preload.js')

function fromMain(channel: string, ...args: unknown[]): void {
  for (const l of electron.on.get(channel) ?? []) l({ sender: 'ipc event' }, ...args)
}

const VIEW: ClusterView = { mode: 'local', leader: 1, term: 3, nodes: [], partition: null, links: [], workload: null, timeMs: 5 }

describe('preload', () => {
  it('exposes exactly one global, window.raftkv, with one function per control-API method plus subscribe and onMenu', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
    const [name, bridge] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>]
    expect(name).toBe('raftkv')
    expect(Object.keys(bridge).sort()).toEqual([...CONTROL_METHODS, 'subscribe', 'onMenu'].sort())
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function')
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer)
    expect(Object.isFrozen(bridge)).toBe(true)
  })

  describe('calls', () => {
    let bridge: DesktopBridge
    beforeEach(() => {
      electron.ipcRenderer.invoke.mockClear()
      electron.ipcRenderer.send.mockClear()
      bridge = createBridge(electron.ipcRenderer as never)
    })

    it.each(CONTROL_METHODS.map((m) => [m]))('%s invokes the call channel with its name and params', async (method) => {
      electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { answer: method } })
      const fn = bridge[method] as (p: unknown) => Promise<unknown>
      await expect(fn(VALID_PARAMS[method])).resolves.toEqual({ answer: method })
      expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(CHANNELS.call, method, VALID_PARAMS[method])
    })

    it('rejects with the ControlErrorData main sent', async () => {
      const error = { code: 'UNKNOWN_NODE', message: 'no node 9' }
      electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error })
      await expect(bridge.kill({ id: 9 })).rejects.toEqual(error)
    })

    it('subscribe: one IPC subscription per topic, fan-out to every listener, unsubscribe after the last', () => {
      const a = vi.fn()
      const b = vi.fn()
      const offA = bridge.subscribe('status', a)
      const offB = bridge.subscribe('status', b)
      expect(electron.ipcRenderer.send.mock.calls).toEqual([[CHANNELS.subscribe, 'status']])
      fromMain(CHANNELS.notify, 'status', VIEW)
      expect(a).toHaveBeenCalledWith(VIEW)
      expect(b).toHaveBeenCalledWith(VIEW)
      expect(a.mock.calls[0]).toHaveLength(1) // the IPC event never reaches the page
      offA()
      offA()
      expect(electron.ipcRenderer.send).toHaveBeenCalledTimes(1)
      offB()
      expect(electron.ipcRenderer.send.mock.calls[1]).toEqual([CHANNELS.unsubscribe, 'status'])
      fromMain(CHANNELS.notify, 'status', VIEW)
      expect(a).toHaveBeenCalledTimes(1)
    })

    it('subscribe: notifications go only to their topic; a throwing listener does not stop the others', () => {
      const events = vi.fn()
      const bad = vi.fn(() => {
        throw new Error('listener bug')
      })
      const logs = vi.fn()
      const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      bridge.subscribe('event', bad)
      bridge.subscribe('event', events)
      bridge.subscribe('log', logs)
      fromMain(CHANNELS.notify, 'event', { seq: 1 })
      fromMain(CHANNELS.notify, 'nonsense', { seq: 2 })
      expect(events).toHaveBeenCalledTimes(1)
      expect(logs).not.toHaveBeenCalled()
      expect(spy).toHaveBeenCalledTimes(1)
      spy.mockRestore()
    })

    it('subscribe refuses unknown topics and non-functions', () => {
      expect(() => bridge.subscribe('secrets' as never, vi.fn())).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
      expect(() => bridge.subscribe('status', 'not a function' as never)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
      expect(electron.ipcRenderer.send).not.toHaveBeenCalled()
    })

    it('onMenu passes the menu\'s known commands on, and stops after unsubscribe', () => {
      const seen: MenuCommand[] = []
      const off = bridge.onMenu((c) => seen.push(c))
      fromMain(CHANNELS.menu, 'attach')
      fromMain(CHANNELS.menu, 'rm -rf')
      off()
      fromMain(CHANNELS.menu, 'attach')
      expect(seen).toEqual(['attach'])
    })
  })
})
