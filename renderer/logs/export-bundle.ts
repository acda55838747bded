// "Export logs…": the desktop app's main process asks where to save the bundle
// (exportBundle over IPC); in web mode the server streams it as a download from
// /export with the page's session token.
import { tokenFromHash, useApi } from '../api'

export type ExportOutcome = { kind: 'saved'; path: string; bytes: number } | { kind: 'download'; url: string }

export function exportDownloadUrl(win: Window): string {
  return `/export?token=${encodeURIComponent(tokenFromHash(win.location.hash) ?? '')}`
}

export async function exportBundle(win: Window = window): Promise<ExportOutcome> {
  if (win.raftkv !== undefined) {
    const r = await useApi().exportBundle()
    return { kind: 'saved', ...r }
  }
  const url = exportDownloadUrl(win)
  const a = win.document.createElement('a')
  a.href = url
  a.download = ''
  win.document.body.append(a)
  a.click()
  a.remove()
  return { kind: 'download', url }
}
