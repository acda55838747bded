import { describe, expect, it, vi } from 'vitest'
import { ControlError } from '../main/control/errors.js'
import { CONTROL_METHODS } from '../main/control/methods.js'
import { INVALID_PARAMS, VALID_PARAMS } from '../main/control/testing/sample-params.js'
import type { ClusterView } from '../main/control/types.js'
import { CHANNELS, type CallReply } from './ipc-channels.js'
import { originOf, registerControlIpc, TrustedSenders } from './ipc.js'
import { FakeContents, FakeIpcMain, recordingApi } from './testing/fakes.js'

// ipc.ts imports only types from electron; the mock makes sure nothing reaches the real one.
vi.mock('electron', () => ({}))

const ORIGIN = 'app://raftkv'

function setup(opts: { exportPath?: string | null; results?: Parameters<typeof recordingApi>[0] } = {}) {
  const ipcMain = new FakeIpcMain()
  const rec = recordingApi(opts.results)
  const senders = new TrustedSenders(ORIGIN)
  const win = new FakeContents(`${ORIGIN}/index.html`)
  senders.allow(win.asWebContents())
  const chooseExportPath = vi.fn(async () => (opts.exportPath === undefined ? '/home/u/logs.tar.gz' : opts.exportPath))
  const dispose = registerControlIpc({ ipcMain, api: rec.api, senders, chooseExportPath })
  const call = (method: unknown, params?: unknown, from = win, frame = from.mainFrame) =>
    ipcMain.invoke(CHANNELS.call, from.event(frame), method, params) as Promise<CallReply>
  return { ipcMain, ...rec, senders, win, chooseExportPath, call, dispose }
}

const SAMPLE_VIEW: ClusterView = { mode: 'none', leader: 0, term: 0, nodes: [], partition: null, links: [], workload: null, timeMs: 1 }

describe('control API over IPC', () => {
  it.each(CONTROL_METHODS.filter((m) => m !== 'exportBundle').map((m) => [m]))('forwards %s with its checked params', async (method) => {
    const s = setup({ results: { status: () => SAMPLE_VIEW } })
    const reply = await s.call(method, VALID_PARAMS[method])
    expect(reply.ok).toBe(true)
    expect(s.calls).toEqual([[method, VALID_PARAMS[method]]])
    if (method === 'status') expect(reply).toEqual({ ok: true, value: SAMPLE_VIEW })
  })

  it.each(INVALID_PARAMS.filter(([m]) => m !== 'exportBundle'))('refuses %s(%j) before the Supervisor sees it', async (method, params, field) => {
    const s = setup()
    const reply = await s.call(method, params)
    expect(reply.ok).toBe(false)
    if (!reply.ok) {
      expect(reply.error.code).toBe('BAD_ARGUMENT')
      expect(reply.error.message.startsWith(method)).toBe(true)
      expect(reply.error.message).toContain(field)
    }
    expect(s.calls).toEqual([])
  })

  it('refuses an unknown method, including Object.prototype names', async () => {
    const s = setup()
    for (const method of ['format', 'constructor', '__proto__', 'toString', 42, null]) {
      const reply = await s.call(method, undefined)
      expect(reply).toEqual({ ok: false, error: { code: 'BAD_ARGUMENT', message: `unknown method ${String(method)}` } })
    }
    expect(s.calls).toEqual([])
  })

  it('refuses foreign senders: another window, a sub-frame, another origin, no frame', async () => {
    const s = setup()
    const stranger = new FakeContents(`${ORIGIN}/index.html`) // never allowed
    const evil = new FakeContents('https://evil.example/')
    s.senders.allow(evil.asWebContents())
    const sub = { url: `${ORIGIN}/index.html`, parent: s.win.mainFrame }
    const replies = [
      await s.call('kill', { id: 1 }, stranger),
      await s.call('kill', { id: 1 }, evil),
      await s.call('kill', { id: 1 }, s.win, sub),
      await s.call('kill', { id: 1 }, s.win, null as never),
      await s.call('kill', { id: 1 }, s.win, { url: 'file:///etc/passwd', parent: null }),
    ]
    for (const r of replies) expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(s.calls).toEqual([])
  })

  it('forgets a window once it is destroyed', async () => {
    const s = setup()
    s.win.destroy()
    expect(await s.call('status')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
  })

  it('exportBundle: the path comes from the save dialog, never from the page', async () => {
    const s = setup({ results: { exportBundle: (p) => ({ path: (p as { path: string }).path, bytes: 123 }) } })
    expect(await s.call('exportBundle', undefined)).toEqual({ ok: true, value: { path: '/home/u/logs.tar.gz', bytes: 123 } })
    expect(s.chooseExportPath).toHaveBeenCalledWith(s.win)
    expect(s.calls).toEqual([['exportBundle', { path: '/home/u/logs.tar.gz' }]])
    const named = await s.call('exportBundle', { path: '/home/u/.bashrc' })
    expect(named).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    expect(await s.call('exportBundle', { path: 7 })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    expect(s.calls).toHaveLength(1)
  })

  it('exportBundle: a dismissed dialog answers CANCELLED', async () => {
    const s = setup({ exportPath: null })
    expect(await s.call('exportBundle')).toMatchObject({ ok: false, error: { code: 'CANCELLED' } })
    expect(s.calls).toEqual([])
  })

  it('carries ControlErrors as data and anything else as INTERNAL', async () => {
    const s = setup({
      results: {
        kill: () => {
          throw new ControlError('UNKNOWN_NODE', 'no node 9')
        },
        get: () => {
          throw new ControlError('KV_ERROR', 'not leader', 'NOT_LEADER')
        },
        heal: () => {
          throw new TypeError('boom')
        },
      },
    })
    expect(await s.call('kill', { id: 9 })).toEqual({ ok: false, error: { code: 'UNKNOWN_NODE', message: 'no node 9' } })
    expect(await s.call('get', { key: 'k' })).toEqual({ ok: false, error: { code: 'KV_ERROR', message: 'not leader', kvCode: 'NOT_LEADER' } })
    expect(await s.call('heal')).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } })
  })

  it('forwards notifications of subscribed topics to the window, once per topic', () => {
    const s = setup()
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event(), 'status')
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event(), 'status')
    expect(s.subscriberCount('status')).toBe(1)
    s.publish('status', SAMPLE_VIEW)
    expect(s.win.sent).toEqual([[CHANNELS.notify, 'status', SAMPLE_VIEW]])
    s.ipcMain.emit(CHANNELS.unsubscribe, s.win.event(), 'status')
    expect(s.subscriberCount('status')).toBe(0)
    s.publish('status', SAMPLE_VIEW)
    expect(s.win.sent).toHaveLength(1)
  })

  it('ignores subscriptions from foreign senders and unknown topics', () => {
    const s = setup()
    const stranger = new FakeContents(`${ORIGIN}/index.html`)
    s.ipcMain.emit(CHANNELS.subscribe, stranger.event(), 'status')
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event(), 'secrets')
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event({ url: `${ORIGIN}/`, parent: s.win.mainFrame }), 'event')
    expect(s.subscriberCount('status')).toBe(0)
    expect(s.subscriberCount('event')).toBe(0)
  })

  it('drops a window\'s subscriptions when it is destroyed or its renderer dies, and on dispose', () => {
    const s = setup()
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event(), 'event')
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event(), 'log')
    s.win.emit('render-process-gone')
    expect(s.subscriberCount('event') + s.subscriberCount('log')).toBe(0)
    s.ipcMain.emit(CHANNELS.subscribe, s.win.event(), 'workload')
    s.win.destroy()
    expect(s.subscriberCount('workload')).toBe(0)

    const t = setup()
    t.ipcMain.emit(CHANNELS.subscribe, t.win.event(), 'status')
    t.dispose()
    expect(t.subscriberCount('status')).toBe(0)
    expect(t.ipcMain.handlers.size).toBe(0)
  })
})

describe('originOf', () => {
  it('names custom-scheme origins too', () => {
    expect(originOf('app://raftkv/index.html#/cluster')).toBe('app://raftkv')
    expect(originOf('http://localhost:5173/')).toBe('http://localhost:5173')
    expect(originOf('not a url')).toBeNull()
  })
})
