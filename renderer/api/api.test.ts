import { describe, expect, it } from 'vitest'
import type { ClusterView } from '../../main/control/types'
import { controlUrl, createApi, errorInWords, tokenFromHash, ApiError } from './index'
import { createPreloadApi } from './preload-api'
import type { RaftkvPreload } from './types'

function fakePreload(overrides: Partial<RaftkvPreload>): RaftkvPreload {
  return new Proxy(overrides, {
    get: (target, name: string) => (target as Record<string, unknown>)[name] ?? (async () => undefined),
  }) as RaftkvPreload
}

describe('choosing the transport', () => {
  it('reads the session token from the URL fragment and builds the /control URL', () => {
    expect(tokenFromHash('#token=abc%20d')).toBe('abc d')
    expect(tokenFromHash('#x=1&token=t2')).toBe('t2')
    expect(tokenFromHash('')).toBeNull()
    expect(controlUrl({ protocol: 'http:', host: '127.0.0.1:4000' }, 'a/b')).toBe('ws://127.0.0.1:4000/control?token=a%2Fb')
  })

  it('uses the preload when window.raftkv exists', async () => {
    const view = { mode: 'none' } as ClusterView
    const win = { raftkv: fakePreload({ status: async () => view }) } as unknown as Window
    await expect(createApi(win).status()).resolves.toBe(view)
  })
})

describe('preload API', () => {
  it('passes arguments through and unsubscribes', async () => {
    const seen: unknown[] = []
    let unsubscribed = false
    const api = createPreloadApi(fakePreload({
      kill: async (p) => { seen.push(p) },
      subscribe: () => () => { unsubscribed = true },
    }))
    await api.kill({ id: 2 })
    expect(seen).toEqual([{ id: 2 }])
    api.subscribe('status', () => undefined)()
    expect(unsubscribed).toBe(true)
  })

  it('turns a rejection carrying ControlErrorData into an ApiError with that code', async () => {
    const api = createPreloadApi(fakePreload({ launch: async () => { throw { code: 'PORT_IN_USE', message: 'port 7001 is in use' } } }))
    const e = await api.launch().catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect((e as ApiError).code).toBe('PORT_IN_USE')
    expect(errorInWords(e)).toBe('A port is already in use: choose another base port (port 7001 is in use).')
  })
})

describe('errors in words', () => {
  it('names the store error of a KV_ERROR, and does not repeat a message that says nothing more', () => {
    expect(errorInWords(new ApiError('KV_ERROR', 'KV_ERROR', 'NOT_LEADER'))).toBe('No leader could take the request (an election may be under way).')
    expect(errorInWords(new ApiError('NO_CLUSTER', ''))).toBe('No cluster is running or attached.')
    expect(errorInWords(new Error('boom'))).toBe('Unexpected answer from the manager (boom).')
  })
})
