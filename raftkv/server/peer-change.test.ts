import { describe, expect, it } from 'vitest'
import { peerChangeProblem } from './peer-change.js'
import { clampWatchInterval } from './status-watches.js'

const members = [{ id: 1, addr: '127.0.0.1:7001' }, { id: 2, addr: '127.0.0.1:7002' }]

describe('peerChangeProblem', () => {
  it('accepts ids below 2^53 and host:port addresses (or none: the peer dials in)', () => {
    expect(peerChangeProblem('add', { id: 3, addr: '127.0.0.1:7003' }, members)).toBeUndefined()
    expect(peerChangeProblem('add', { id: 2 ** 53 - 1, addr: 'node-3.example:1' }, members)).toBeUndefined()
    expect(peerChangeProblem('add', { id: 3, addr: '' }, members)).toBeUndefined()
    expect(peerChangeProblem('remove', { id: 2, addr: '' }, members)).toBeUndefined()
  })

  it('refuses ids that are not exact positive integers, bad addresses, removing the last member', () => {
    for (const id of [0, -1, 1.5, 2 ** 53, 2 ** 64, Number.NaN]) {
      expect(peerChangeProblem('add', { id, addr: '127.0.0.1:1' }, members), String(id)).toMatch(/not a node id/)
    }
    for (const addr of ['no-port', 'bad_host!:1', '127.0.0.1:0', '127.0.0.1:65536', `${'h'.repeat(10_240)}:1`]) {
      expect(peerChangeProblem('add', { id: 3, addr }, members), addr.slice(0, 20)).toMatch(/not host:port/)
    }
    expect(peerChangeProblem('remove', { id: 1, addr: '' }, [members[0]!])).toBe('the last member cannot be removed')
  })
})

describe('clampWatchInterval', () => {
  it('keeps status streams between 50 ms and 60 s (0: 500 ms)', () => {
    expect(clampWatchInterval(0)).toBe(500)
    expect(clampWatchInterval(1)).toBe(50)
    expect(clampWatchInterval(2 ** 32 - 1)).toBe(60_000)
    expect(clampWatchInterval(250)).toBe(250)
  })
})
