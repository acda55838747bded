// The native dialogs the shell needs: where to save an export, whether to stop a running
// cluster, and errors in words.
import { BrowserWindow, dialog } from 'electron'
import type { MessageBoxOptions, SaveDialogOptions } from 'electron'
import { ControlError } from '../main/control/errors.js'

function parentOf(contents?: Electron.WebContents | null): BrowserWindow | null {
  return contents ? BrowserWindow.fromWebContents(contents) : BrowserWindow.getFocusedWindow()
}

export function defaultExportName(now = new Date()): string {
  const stamp = now.toISOString().replace(/\..*$/, '').replace(/[:T]/g, '-')
  return `raftkv-logs-${stamp}.tar.gz`
}

export async function chooseExportPath(defaultDir: string, contents?: Electron.WebContents | null): Promise<string | null> {
  const options: SaveDialogOptions = {
    title: 'Export logs',
    defaultPath: `${defaultDir}/${defaultExportName()}`,
    buttonLabel: 'Export',
    filters: [{ name: 'Log bundle (.tar.gz)', extensions: ['tar.gz', 'tgz'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  }
  const parent = parentOf(contents)
  const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options)
  return result.canceled || !result.filePath ? null : result.filePath
}

export type StopAnswer = 'stop' | 'export-then-stop' | 'cancel'

/** Asked before quitting (or replacing the cluster) while local nodes run. */
export async function askStopCluster(running: number, action: 'quit' | 'new-cluster'): Promise<StopAnswer> {
  const verb = action === 'quit' ? 'Quit' : 'Start a new cluster'
  const options: MessageBoxOptions = {
    type: 'question',
    title: 'Stop the running cluster?',
    message: `A local cluster is running (${running} node${running === 1 ? '' : 's'}).`,
    detail: `${verb} stops every node of it. Its data stays on disk.`,
    buttons: [`Stop cluster and ${action === 'quit' ? 'quit' : 'continue'}`, 'Export logs, then stop', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
    noLink: true,
  }
  const parent = parentOf()
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options)
  return response === 0 ? 'stop' : response === 1 ? 'export-then-stop' : 'cancel'
}

export function describeError(err: unknown): string {
  if (err instanceof ControlError) return `${err.message} (${err.code})`
  return err instanceof Error ? err.message : String(err)
}

export function showError(title: string, err: unknown): void {
  dialog.showErrorBox(title, describeError(err))
}

export async function showInfo(message: string, detail: string): Promise<void> {
  const parent = parentOf()
  const options: MessageBoxOptions = { type: 'info', message, detail, buttons: ['OK'] }
  if (parent) await dialog.showMessageBox(parent, options)
  else await dialog.showMessageBox(options)
}
