import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { menuTemplate, type MenuActions } from './menu.js'

vi.mock('electron', () => ({}))

function actions() {
  const a = { newCluster: vi.fn<() => void>(), attach: vi.fn<() => void>(), exportLogs: vi.fn<() => void>(), quit: vi.fn<() => void>() }
  return a satisfies MenuActions
}

function items(menu: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const top = menu.find((m) => m.label === label)
  return (top?.submenu ?? []) as MenuItemConstructorOptions[]
}

function click(item: MenuItemConstructorOptions | undefined): void {
  ;(item?.click as (() => void) | undefined)?.()
}

describe('application menu', () => {
  it('File: New cluster, Attach to cluster…, Export logs…, Quit, each wired to its action', () => {
    const a = actions()
    const menu = menuTemplate(a, 'linux', false)
    const file = items(menu, 'File')
    expect(file.filter((i) => i.label).map((i) => i.label)).toEqual(['New cluster', 'Attach to cluster…', 'Export logs…', 'Quit'])
    for (const item of file) click(item)
    expect(a.newCluster).toHaveBeenCalledTimes(1)
    expect(a.attach).toHaveBeenCalledTimes(1)
    expect(a.exportLogs).toHaveBeenCalledTimes(1)
    expect(a.quit).toHaveBeenCalledTimes(1)
  })

  it('has a View menu (reload, zoom, full screen); developer tools only in development', () => {
    const roles = (devTools: boolean) => items(menuTemplate(actions(), 'linux', devTools), 'View').map((i) => i.role).filter(Boolean)
    expect(roles(false)).toEqual(['reload', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen'])
    expect(roles(true)).toContain('toggleDevTools')
  })

  it('on macOS Quit moves to the app menu', () => {
    const a = actions()
    const menu = menuTemplate(a, 'darwin', false)
    expect(menu[0]?.label).toBe('RaftKV Manager')
    expect(items(menu, 'File').some((i) => i.label === 'Quit')).toBe(false)
    click(items(menu, 'RaftKV Manager').find((i) => i.label === 'Quit'))
    expect(a.quit).toHaveBeenCalledTimes(1)
  })
})
