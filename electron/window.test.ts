import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { FakeBrowserWindow, fakeSession, type OpenHandler } from './testing/fake-window.js'

vi.mock('electron', async () => {
  const fakes = await import('./testing/fake-window.js')
  return { BrowserWindow: fakes.FakeBrowserWindow, session: fakes.fakeSession }
})

const { createMainWindow, denyPermissions, hardenContents, secureWebPreferences } = await import('./window.js')

function navigationEvent() {
  return { prevented: false, preventDefault() { this.prevented = true } }
}

describe('the main window', () => {
  const win = createMainWindow({ preload: '/app/out/preload/index.cjs', url: 'app://raftkv/index.html', appOrigin: 'app://raftkv' })
  const fake = FakeBrowserWindow.created[0]!

  it('is isolated and sandboxed, with no Node in the page', () => {
    expect(win).toBe(fake)
    const prefs = fake.options['webPreferences'] as Record<string, unknown>
    // The checklist items spelled out, not read back from window.ts.
    for (const [key, value] of Object.entries({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false })) {
      expect([key, prefs[key]]).toEqual([key, value])
    }
    expect(prefs['preload']).toBe('/app/out/preload/index.cjs')
    expect([prefs['nodeIntegrationInWorker'], prefs['nodeIntegrationInSubFrames'], prefs['allowRunningInsecureContent']]).toEqual([false, false, false])
    expect(prefs['webSecurity']).toBe(true)
    expect(prefs).toEqual(secureWebPreferences('/app/out/preload/index.cjs'))
  })

  it('loads the app URL and shows once ready', () => {
    expect(fake.loaded).toBe('app://raftkv/index.html')
    expect(fake.shown).toBe(false)
    fake.emit('ready-to-show')
    expect(fake.shown).toBe(true)
  })

  it('denies window.open', () => {
    expect(fake.webContents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(fake.webContents.openHandler?.({ url: 'app://raftkv/index.html' })).toEqual({ action: 'deny' })
  })

  it('denies navigation and redirects away from the app, and <webview>', () => {
    for (const [name, url, prevented] of [
      ['will-navigate', 'https://evil.example/', true],
      ['will-navigate', 'file:///etc/passwd', true],
      ['will-navigate', 'app://other/index.html', true],
      ['will-navigate', 'app://raftkv/index.html', false],
      ['will-redirect', 'http://127.0.0.1:9/', true],
    ] as const) {
      const e = navigationEvent()
      fake.webContents.emit(name, e, url)
      expect([name, url, e.prevented]).toEqual([name, url, prevented])
    }
    const e = navigationEvent()
    fake.webContents.emit('will-attach-webview', e)
    expect(e.prevented).toBe(true)
  })

  it('hardens any other web contents the same way', () => {
    const contents = new (class extends EventEmitter {
      handler: OpenHandler | null = null
      setWindowOpenHandler(h: OpenHandler): void {
        this.handler = h
      }
    })()
    hardenContents(contents as never, 'app://raftkv')
    expect(contents.handler?.({ url: 'https://x/' })).toEqual({ action: 'deny' })
    const e = navigationEvent()
    contents.emit('will-navigate', e, 'https://x/')
    expect(e.prevented).toBe(true)
  })

  it('grants no permission', () => {
    denyPermissions()
    const answers: boolean[] = []
    fakeSession.defaultSession.requestHandler?.(null, 'media', (ok) => answers.push(ok))
    fakeSession.defaultSession.requestHandler?.(null, 'notifications', (ok) => answers.push(ok))
    expect(answers).toEqual([false, false])
    expect(fakeSession.defaultSession.checkHandler?.()).toBe(false)
  })
})
