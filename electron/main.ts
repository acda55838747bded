// The Electron main process: app lifecycle, the window, the menu, the control API over
// IPC, and a quit that never leaves a node running.
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, session } from 'electron'
import type { ControlApi } from '../main/control/types.js'
import { builtNodeEntry, Controller, electronAsNodeCommand } from '../main/index.js'
import { askStopCluster, chooseExportPath, showError, showInfo } from './dialogs.js'
import { CHANNELS } from './ipc-channels.js'
import { originOf, registerControlIpc, TrustedSenders } from './ipc.js'
import { menuTemplate } from './menu.js'
import { APP_INDEX_URL, APP_ORIGIN, CONTENT_SECURITY_POLICY, registerAppScheme, serveRenderer } from './protocol.js'
import { QuitGuard, runningNodes } from './quit.js'
import { createMainWindow, denyPermissions, hardenContents } from './window.js'

const outDir = join(import.meta.dirname, '..')
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']
const appOrigin = devUrl ? originOf(devUrl)! : APP_ORIGIN

// A second copy hands over to the first (its 'second-instance' focuses the window) and stops here.
const primary = app.requestSingleInstanceLock()
if (primary) registerAppScheme()

let api: ControlApi
let mainWindow: BrowserWindow | null = null
const senders = new TrustedSenders(appOrigin)

function openWindow(): BrowserWindow {
  const win = createMainWindow({
    preload: join(outDir, 'preload', 'index.cjs'),
    url: devUrl ?? APP_INDEX_URL,
    appOrigin,
    icon: join(app.getAppPath(), 'build', 'icon.png'),
  })
  senders.allow(win.webContents)
  win.on('close', (event) => {
    // Closing the last window quits (except on macOS): ask before it is gone.
    if (process.platform !== 'darwin' && BrowserWindow.getAllWindows().length === 1 && !quitGuard.done) {
      event.preventDefault()
      app.quit()
    }
  })
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
  })
  mainWindow = win
  return win
}

async function exportLogs(contents?: Electron.WebContents | null): Promise<boolean> {
  const path = await chooseExportPath(app.getPath('documents'), contents)
  if (path === null) return false
  try {
    const { bytes } = await api.exportBundle({ path })
    await showInfo('Logs exported', `${(bytes / 1024).toFixed(0)} KiB written to ${path}`)
    return true
  } catch (err) {
    showError('Export failed', err)
    return false
  }
}

async function newCluster(): Promise<void> {
  try {
    const view = await api.status()
    const running = runningNodes(view)
    if (running > 0) {
      const answer = await askStopCluster(running, 'new-cluster')
      if (answer === 'cancel' || (answer === 'export-then-stop' && !(await exportLogs()))) return
    }
    if (view.mode === 'local') await api.shutdown()
    else if (view.mode === 'attached') await api.detach()
    await api.launch()
  } catch (err) {
    showError('Could not start a new cluster', err)
  }
}

const quitGuard = new QuitGuard({
  get api() {
    return api
  },
  ask: (running) => askStopCluster(running, 'quit'),
  exportFirst: () => exportLogs(),
  onError: (title, err) => showError(title, err),
})

function quitGracefully(ask: boolean): void {
  void quitGuard.prepare(ask).then((ok) => {
    if (ok) app.quit()
  })
}

app.on('before-quit', (event) => {
  if (quitGuard.done) return
  event.preventDefault()
  quitGracefully(true)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => quitGracefully(false))

app.on('web-contents-created', (_event, contents) => hardenContents(contents, appOrigin))
app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  }
})
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) openWindow()
})

async function ready(): Promise<void> {
  await app.whenReady()
  denyPermissions()
  if (devUrl) {
    // The dev server's pages get the same policy, plus its hot-reload socket.
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [`${CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' ws:")}`] } })
    })
  } else {
    serveRenderer(join(outDir, 'renderer'))
  }
  // Nodes run as Electron's own binary in Node mode on the built entry shipped in the app
  // (inside app.asar when packaged; Electron loads the RocksDB binding from app.asar.unpacked).
  api = new Controller({
    launchCommand: electronAsNodeCommand(process.execPath, builtNodeEntry(app.getAppPath())),
    appDataDir: join(app.getPath('userData'), 'clusters'),
  })
  registerControlIpc({
    ipcMain,
    api,
    senders,
    chooseExportPath: (contents) => chooseExportPath(app.getPath('documents'), contents),
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({
    newCluster: () => void newCluster(),
    attach: () => {
      if (!mainWindow) openWindow()
      mainWindow?.webContents.send(CHANNELS.menu, 'attach')
    },
    exportLogs: () => void exportLogs(),
    quit: () => app.quit(),
  }, process.platform, !app.isPackaged)))
  openWindow()
}

if (primary) void ready()
else app.exit(0)
