// The one module the rest of the UI uses to reach the control API. createApi() picks
// the transport (the Electron preload when present, else the web-mode WebSocket with
// the session token from the URL fragment); installApi() makes it the app's API.
import { createPreloadApi } from './preload-api'
import type { DashboardApi } from './types'
import { createWebSocketApi } from './ws-api'

export type { ConnectionState, DashboardApi, RaftkvPreload } from './types'
export { ApiError, toApiError, type ApiErrorCode } from './errors'
export { errorInWords } from './error-words'

/** The session token in a fragment such as `#token=T` (also `#a=b&token=T`). */
export function tokenFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token')
}

export function controlUrl(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/control?token=${encodeURIComponent(token)}`
}

export function createApi(win: Window = window): DashboardApi {
  if (win.raftkv !== undefined) return createPreloadApi(win.raftkv)
  return createWebSocketApi(controlUrl(win.location, tokenFromHash(win.location.hash) ?? ''))
}

let installed: DashboardApi | null = null

export function installApi(api: DashboardApi): void {
  installed = api
}

/** The installed API (stores call this when they act, never at import time). */
export function useApi(): DashboardApi {
  if (installed === null) throw new Error('renderer/api: installApi() was not called')
  return installed
}
