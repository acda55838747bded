import * as tls from 'node:tls'
import { describe, expect, it } from 'vitest'
import { lazyModule } from './lazy-module.js'

describe('lazyModule', () => {
  it('loads the real module on first use, once, and then behaves as it', () => {
    let loads = 0
    const m = lazyModule(() => { loads++; return tls })
    expect(loads).toBe(0)
    expect(m.connect).toBe(tls.connect)
    expect(typeof m.createSecureContext).toBe('function')
    expect('connect' in m).toBe(true)
    expect(Object.keys(m)).toEqual(Object.keys(tls))
    const { DEFAULT_MAX_VERSION } = m
    expect(DEFAULT_MAX_VERSION).toBe(tls.DEFAULT_MAX_VERSION)
    expect(loads).toBe(1)
  })

  it('a namespace copy of it (as bundlers make) sees the real members', () => {
    const m = lazyModule(() => tls)
    const copy = { ...m }
    expect(copy.connect).toBe(tls.connect)
  })
})
