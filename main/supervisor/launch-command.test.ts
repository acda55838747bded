import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { builtNodeEntry, electronAsNodeCommand, NODE_V8_FLAGS, PLAIN_NODE_V8_FLAGS, plainNodeCommand } from './launch-command.js'

describe('launch commands', () => {
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

  it('Electron as Node: the same flags before the entry, ELECTRON_RUN_AS_NODE set', () => {
    const cmd = electronAsNodeCommand('/opt/app/raftkv-manager', '/opt/app/resources/app.asar/out/node/raftkv-node.cjs')
    expect(cmd).toEqual({
      command: '/opt/app/raftkv-manager',
      args: [...NODE_V8_FLAGS, '/opt/app/resources/app.asar/out/node/raftkv-node.cjs'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    })
  })

  it('Node accepts every default flag', () => {
    const r = spawnSync(process.execPath, [...PLAIN_NODE_V8_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'ok', ''])
  })
})
