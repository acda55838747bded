// The Controller's refusals that need no running cluster: every bad input or call in the
// wrong state is a typed ControlError, fast, and changes nothing (no process, no folder).
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Controller } from './controller.js'
import { ControlError } from './errors.js'

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p)
    return 'ok'
  } catch (e) {
    if (e instanceof ControlError) return e.code
    throw e
  }
}

describe('Controller without a cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'raftkv-ctl-'))
  const c = new Controller({ appDataDir: join(root, 'app') })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('answers NO_CLUSTER to calls that need one, and status says none', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['shutdown', () => c.shutdown()], ['detach', () => c.detach()], ['kill', () => c.kill({ id: 1 })],
      ['pause', () => c.pause({ id: 1 })], ['partition', () => c.partition({ groups: [[1], [2]] })], ['heal', () => c.heal()],
      ['isolate', () => c.isolate({ id: 1 })], ['setLinkFaults', () => c.setLinkFaults({ from: 1, to: 2, dropRate: 0.1 })],
      ['addNode', () => c.addNode()], ['removeNode', () => c.removeNode({ id: 1 })], ['transferLeader', () => c.transferLeader({ id: 1 })],
      ['get', () => c.get({ key: 'k' })], ['put', () => c.put({ key: 'k', value: 'v' })],
    ]
    for (const [what, call] of calls) expect([what, await code(call)]).toEqual([what, 'NO_CLUSTER'])
    expect((await c.status()).mode).toBe('none')
    expect(await c.events()).toEqual([])
  })

  it('answers BAD_ARGUMENT to malformed params before anything else', async () => {
    const bad: [string, () => Promise<unknown>][] = [
      ['launch nodes 0', () => c.launch({ nodes: 0 })],
      ['launch nodes 10', () => c.launch({ nodes: 10 })],
      ['launch nodes 2.5', () => c.launch({ nodes: 2.5 })],
      ['launch unknown field', () => c.launch({ nodez: 3 } as never)],
      ['launch heartbeat >= election', () => c.launch({ electionTick: 3, heartbeatTick: 3 })],
      ['launch tickMs NaN', () => c.launch({ tickMs: Number.NaN })],
      ['launch spec not an object', () => c.launch('three' as never)],
      ['launch basePort', () => c.launch({ basePort: 80 })],
      ['launch rate', () => c.launch({ snapshotRateLimitMiBps: -1 })],
      ['kill id', () => c.kill({ id: 'x' } as never)],
      ['kill -1', () => c.kill({ id: -1 })],
      ['kill no params', () => c.kill(undefined as never)],
      ['partition one group', () => c.partition({ groups: [[1, 2, 3]] })],
      ['partition twice', () => c.partition({ groups: [[1, 2], [2, 3]] })],
      ['partition empty group', () => c.partition({ groups: [[1], []] })],
      ['link NaN', () => c.setLinkFaults({ from: 1, to: 2, dropRate: Number.NaN })],
      ['link negative', () => c.setLinkFaults({ from: 1, to: 2, delayMs: -5 })],
      ['link rate > 1', () => c.setLinkFaults({ from: 1, to: 2, dropRate: 1.5 })],
      ['link self', () => c.setLinkFaults({ from: 2, to: 2 })],
      ['attach no endpoints', () => c.attach({ endpoints: [], token: 't' })],
      ['attach bad endpoint', () => c.attach({ endpoints: ['nope'], token: 't' })],
      ['attach empty token', () => c.attach({ endpoints: ['127.0.0.1:1'], token: '' })],
      ['get empty key', () => c.get({ key: '' })],
      ['get bad base64', () => c.get({ key: '%%%', encoding: 'base64' })],
      ['put no value', () => c.put({ key: 'k' } as never)],
      ['scan limit 0', () => c.scan({ start: '', end: '', limit: 0 })],
      ['events since -1', () => c.events({ sinceSeq: -1 })],
      ['logs level', () => c.logs({ level: 'loud' as never })],
      ['timeline from > to', () => c.timeline({ fromMs: 2, toMs: 1 })],
      ['addNode params', () => c.addNode({ id: 4 } as never)],
    ]
    for (const [what, call] of bad) expect([what, await code(call)]).toEqual([what, 'BAD_ARGUMENT'])
    expect(() => c.subscribe('nonsense' as never, () => {})).toThrow(ControlError)
    expect((await c.status()).mode).toBe('none')
  })

  it('refuses a port in use with PORT_IN_USE, at once, starting nothing', async () => {
    const holder: Server = await new Promise((resolve) => {
      const s = createServer()
      s.listen(0, '127.0.0.1', () => resolve(s))
    })
    const port = (holder.address() as { port: number }).port
    try {
      const dataDir = join(root, 'busy')
      const t0 = Date.now()
      expect(await code(c.launch({ nodes: 3, basePort: port - 1, dataDir }))).toBe('PORT_IN_USE')
      expect(Date.now() - t0).toBeLessThan(10_000)
      expect(existsSync(dataDir)).toBe(false)
      expect((await c.status()).mode).toBe('none')
      expect(c.nodePids()).toEqual([])
    } finally {
      await new Promise((r) => holder.close(r))
    }
  })

  it('refuses a data dir that is not ours (or holds an earlier cluster) with BAD_ARGUMENT', async () => {
    const foreign = join(root, 'foreign')
    mkdirSync(foreign)
    writeFileSync(join(foreign, 'thesis.tex'), 'precious')
    expect(await code(c.launch({ dataDir: foreign }))).toBe('BAD_ARGUMENT')
    expect(readdirSync(foreign)).toEqual(['thesis.tex'])
    const earlier = join(root, 'earlier')
    mkdirSync(earlier)
    writeFileSync(join(earlier, 'raftkv-cluster.json'), '{}')
    expect(await code(c.launch({ dataDir: earlier }))).toBe('BAD_ARGUMENT')
    const afile = join(root, 'a-file')
    writeFileSync(afile, 'x')
    expect(await code(c.launch({ dataDir: afile }))).toBe('BAD_ARGUMENT')
    expect((await c.status()).mode).toBe('none')
  })

  it('answers NO_CLUSTER for workloads and export without a cluster', async () => {
    expect(await code(c.startWorkload({ clients: 1, durationMs: 1000, keys: 1, getRatio: 0.5 }))).toBe('NO_CLUSTER')
    expect(await code(c.stopWorkload())).toBe('NO_CLUSTER')
    expect(await code(c.exportBundle())).toBe('NO_CLUSTER')
  })
})
