// The application menu: File (New cluster, Attach to cluster…, Export logs…, Quit), Edit
// (so that copy and paste work in the console), View, Window; on macOS the app menu too.
import type { MenuItemConstructorOptions } from 'electron'

export interface MenuActions {
  newCluster(): void
  attach(): void
  exportLogs(): void
  quit(): void
}

export function menuTemplate(actions: MenuActions, platform: NodeJS.Platform, devTools: boolean): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin'
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New cluster', accelerator: 'CmdOrCtrl+N', click: () => actions.newCluster() },
      { label: 'Attach to cluster…', accelerator: 'CmdOrCtrl+Shift+A', click: () => actions.attach() },
      { type: 'separator' },
      { label: 'Export logs…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportLogs() },
      ...(mac ? [] : [{ type: 'separator' } as const, { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() }]),
    ],
  }
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(devTools ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  }
  const appMenu: MenuItemConstructorOptions = {
    label: 'RaftKV Manager',
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
    ],
  }
  return [
    ...(mac ? [appMenu] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ]
}
