// The main window and the rules every web contents lives by (Electron's security
// checklist): isolated, sandboxed preload, no Node in the page, no new windows, no
// navigation away from the app, no permissions, no <webview>.
import { BrowserWindow, session } from 'electron'
import type { Session, WebContents, WebPreferences } from 'electron'
import { originOf } from './ipc.js'

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  }
}

/** Denies window.open, navigation and redirects to another origin, and <webview>. */
export function hardenContents(contents: WebContents, appOrigin: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  const sameOrigin = (url: string): boolean => originOf(url) === appOrigin
  contents.on('will-navigate', (event, url) => {
    if (!sameOrigin(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!sameOrigin(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** No permission (camera, notifications, clipboard-read, …) is ever granted. */
export function denyPermissions(ses: Session = session.defaultSession): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
}

export interface WindowOptions {
  preload: string
  url: string
  appOrigin: string
  icon?: string
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'RaftKV Manager',
    show: false,
    backgroundColor: '#111418',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: secureWebPreferences(opts.preload),
  })
  hardenContents(win.webContents, opts.appOrigin)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(opts.url)
  return win
}
