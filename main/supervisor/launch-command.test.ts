import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SNAPSHOT_CHUNK_BYTES } from '../../raftkv/storage/snapshot-descriptor.js'
import { chunkRequestLength } from '../../raftkv/transport/snapshot-codec.js'
import { builtNodeEntry, electronAsNodeCommand, NODE_MALLOC_ENV, NODE_V8_FLAGS, nodeProcessEnv, PLAIN_NODE_V8_FLAGS, plainNodeCommand } from './launch-command.js'

describe('launch commands', () => {
  it('a default snapshot chunk\'s frame stays under the mmap threshold (the receiver\'s buffer per message is reused heap memory)', () => {
    // The largest header: seq, offset and CRC at their widest varints; glibc adds 16 bytes to a block.
    const frame = chunkRequestLength({ seq: 2 ** 32 - 1, offset: 2 ** 52, data: new Uint8Array(SNAPSHOT_CHUNK_BYTES), crc32: 2 ** 32 - 1 })
    expect(frame + 16).toBeLessThan(Number(NODE_MALLOC_ENV['MALLOC_MMAP_THRESHOLD_']))
  })

  it('the built entry is the one bundled file in out/node', () => {
    expect(builtNodeEntry('/app')).toBe('/app/out/node/raftkv-node.cjs')
  })

  it('plain node: the default V8 flags, then the caller\'s (which win), then the entry', () => {
    if (!existsSync(builtNodeEntry())) return expect(() => plainNodeCommand()).toThrow(/npm run build:node/)
    const cmd = plainNodeCommand(['--max-semi-space-size=8'])
    expect(cmd.command).toBe(process.execPath)
    expect(cmd.args).toEqual([...PLAIN_NODE_V8_FLAGS, '--max-semi-space-size=8', builtNodeEntry()])
    expect(PLAIN_NODE_V8_FLAGS.slice(0, NODE_V8_FLAGS.length)).toEqual(NODE_V8_FLAGS)
  })

  it('plain node on another built entry (an A/B of two builds), which must exist', () => {
    const other = import.meta.filename
    expect(plainNodeCommand([], other).args).toEqual([...PLAIN_NODE_V8_FLAGS, other])
    expect(() => plainNodeCommand([], '/nonexistent/raftkv-node.cjs')).toThrow(/no built node entry at \/nonexistent/)
  })

  it('Electron as Node: the same flags before the entry, ELECTRON_RUN_AS_NODE set', () => {
    const cmd = electronAsNodeCommand('/opt/app/raftkv-manager', '/opt/app/resources/app.asar/out/node/raftkv-node.cjs')
    expect(cmd).toEqual({
      command: '/opt/app/raftkv-manager',
      args: [...NODE_V8_FLAGS, '/opt/app/resources/app.asar/out/node/raftkv-node.cjs'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    })
  })

  it('a node\'s environment: the Supervisor\'s without the CA bundle, malloc settings, then the launch\'s and the caller\'s', () => {
    const base = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', MALLOC_ARENA_MAX: '8', HOME: '/home/u' }
    const env = nodeProcessEnv(base, { ELECTRON_RUN_AS_NODE: '1' }, undefined, { RAFTKV_TOKEN: 't', HOME: '/tmp/h' })
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/tmp/h', ...NODE_MALLOC_ENV, ELECTRON_RUN_AS_NODE: '1', RAFTKV_TOKEN: 't' })
    expect(base.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt') // the caller's copy is left alone
  })

  it('Node reads NODE_EXTRA_CA_CERTS at start; a node started with nodeProcessEnv does not', () => {
    // With NODE_EXTRA_CA_CERTS naming a file that is not there, Node warns at start: proof it reads the variable.
    const withIt = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } })
    expect(withIt.stderr).toMatch(/extra certs/i)
    const without = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: nodeProcessEnv({ ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' }) })
    expect([without.status, without.stderr]).toEqual([0, ''])
  })

  it('Node accepts every default flag', () => {
    const r = spawnSync(process.execPath, [...PLAIN_NODE_V8_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'ok', ''])
  })
})
