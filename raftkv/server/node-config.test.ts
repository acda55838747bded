import { describe, expect, it } from 'vitest'
import { buildNodeConfig, parsePeers } from './node-config.js'
import { NodeConfigError } from './errors.js'

const base = { id: '1', peers: '1=127.0.0.1:7001,2=127.0.0.1:7002,3=10.0.0.3:7003', dataDir: '/tmp/x', token: 'secret-token' }

describe('node config', () => {
  it('parses peers and defaults the listen address to loopback and our own port', () => {
    const c = buildNodeConfig(base)
    expect(c.peers).toEqual([{ id: 1, addr: '127.0.0.1:7001' }, { id: 2, addr: '127.0.0.1:7002' }, { id: 3, addr: '10.0.0.3:7003' }])
    expect([c.listenHost, c.listenPort]).toEqual(['127.0.0.1', 7001])
    expect([c.tickMs, c.electionTick, c.heartbeatTick, c.raftLogGcCountLimit]).toEqual([100, 10, 2, 1000])
    expect(buildNodeConfig({ ...base, id: '3', listen: '0.0.0.0:9000' })).toMatchObject({ listenHost: '0.0.0.0', listenPort: 9000 })
    // The memory budget's parts: defaults, and MiB flags.
    expect([c.blockCacheBytes, c.memtableBytes, c.entryCacheBytes]).toEqual([8 << 20, 16 << 20, 4 << 20])
    expect(buildNodeConfig({ ...base, entryCacheMb: '2' }).entryCacheBytes).toBe(2 << 20)
  })

  it('refuses bad input with a typed error that says what is wrong', () => {
    const bad: [Partial<typeof base> & Record<string, string>, RegExp][] = [
      [{ id: 'x' }, /--id/],
      [{ id: '4' }, /must include this node/],
      [{ peers: '1=127.0.0.1' }, /host:port/],
      [{ peers: '1=127.0.0.1:7001,1=127.0.0.1:7002' }, /twice/],
      [{ peers: '1=127.0.0.1:99999' }, /out of range/],
      [{ token: '' }, /RAFTKV_TOKEN/],
      [{ token: 'a\nb' }, /line breaks/],
      [{ electionTick: '2', heartbeatTick: '2' }, /smaller than/],
      [{ tickMs: '-5' }, /--tick-ms/],
      [{ snapshotRateLimit: 'fast' }, /--snapshot-rate-limit/],
      [{ entryCacheMb: '0' }, /--entry-cache-mb/],
    ]
    for (const [override, message] of bad) {
      let err: unknown
      try {
        buildNodeConfig({ ...base, ...override })
      } catch (e) {
        err = e
      }
      expect(err, JSON.stringify(override)).toBeInstanceOf(NodeConfigError)
      expect((err as NodeConfigError).code).toBe('InvalidNodeConfig')
      expect((err as NodeConfigError).message).toMatch(message)
    }
    expect(() => parsePeers('')).toThrow(NodeConfigError)
  })
})
