// Electron: the control API through the preload's global (`window.raftkv`). Calls pass
// straight through; rejections become ApiErrors with the ControlError's code.
import type { ControlMethodName } from '../../main/control/types'
import { toApiError } from './errors'
import { methodsCalling } from './method-names'
import type { ConnectionState, DashboardApi, RaftkvPreload } from './types'

export function createPreloadApi(preload: RaftkvPreload): DashboardApi {
  async function call(name: ControlMethodName, params: unknown): Promise<unknown> {
    const fn = preload[name] as (p?: unknown) => Promise<unknown>
    try {
      return await (params === undefined ? fn() : fn(params))
    } catch (e) {
      throw toApiError(e)
    }
  }
  return Object.assign(methodsCalling(call), {
    subscribe: preload.subscribe.bind(preload) as DashboardApi['subscribe'],
    onConnection(listener: (s: ConnectionState) => void) {
      listener('open')
      return () => undefined
    },
    onMenu: preload.onMenu.bind(preload) as DashboardApi['onMenu'],
    close: () => undefined,
  })
}
