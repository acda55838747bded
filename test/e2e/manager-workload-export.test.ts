// The Controller (the in-process control API) on real node processes: a checked workload
// with a kill nemesis through startWorkload, the export bundle of the session (every node
// line and event in it, the token nowhere), and web mode answering like in process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tar from 'tar'
import WebSocket from 'ws'
import { Controller } from '../../main/control/controller.js'
import type { ClusterEvent, ClusterView, WorkloadNotification } from '../../main/control/types.js'
import { startWebServer, type WebServer } from '../../main/web/index.js'

const TOKEN = 'e2e-cluster-token-5ecret-42'

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the Controller: checked workloads, export and web mode on real processes', () => {
  let root: string
  let control: Controller
  let web: WebServer | undefined
  const events: ClusterEvent[] = []
  const workload: WorkloadNotification[] = []
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'raftkv-manager-e2e-'))
    control = new Controller({ appDataDir: root, token: TOKEN })
    control.subscribe('event', (e) => events.push(e))
    control.subscribe('workload', (w) => workload.push(w))
    await control.launch({ nodes: 3, tickMs: 50 })
  })
  afterAll(async () => {
    await web?.close()
    const pids = control.nodePids()
    await control.shutdown().catch(() => {})
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow()
    rmSync(root, { recursive: true, force: true })
  })

  it('runs a workload with a kill nemesis to a linearizable verdict, seen in notifications, events and the view', async () => {
    await expect(control.stopWorkload()).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(control.startWorkload({ clients: 0, durationMs: 1000, keys: 1, getRatio: 0.5 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    const { runId } = await control.startWorkload({ clients: 4, durationMs: 8000, keys: 6, getRatio: 0.5, nemesis: [{ kind: 'kill', everyMs: 2500, forMs: 1000 }] })
    await expect(control.startWorkload({ clients: 1, durationMs: 1000, keys: 1, getRatio: 0.5 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    expect((await control.status()).workload).toMatchObject({ runId, state: 'running' })
    const finished = await until('the finished notification', () => workload.find((w) => w.kind === 'finished'), 120_000)
    expect(finished.kind === 'finished' && finished.verdict).toMatchObject({ linearizable: true, outcome: 'linearizable' })
    expect(workload.filter((w) => w.kind === 'progress').length).toBeGreaterThanOrEqual(3)
    expect((await control.status()).workload).toMatchObject({ runId, state: 'done', verdict: { outcome: 'linearizable' } })
    const kinds = events.map((e) => e.kind)
    expect(kinds).toContain('workload-started')
    expect(kinds).toContain('workload-finished')
    expect(kinds).toContain('node-killed')
    expect(events.some((e) => e.kind === 'nemesis' && e.detail.kind === 'kill' && e.detail.phase === 'undo')).toBe(true)
    // Every node is back.
    await until('all nodes running', () => (control.nodePids().length === 3 ? true : undefined))
  })

  it('checks a history handed in as NDJSON, and refuses garbage', async () => {
    const runDir = readdirSync(join(control.dataDir!, 'workloads'))[0]!
    const ndjson = readFileSync(join(control.dataDir!, 'workloads', runDir, 'history.ndjson'), 'utf8')
    expect(await control.checkHistory({ ndjson })).toMatchObject({ outcome: 'linearizable' })
    const lines = ndjson.trim().split('\n')
    const i = lines.findIndex((l) => l.includes('"type":"ok"') && l.includes('"f":"get"'))
    lines[i] = lines[i]!.replace(/"value":(null|"[^"]*")/, '"value":"never-written"')
    const bad = await control.checkHistory({ ndjson: lines.join('\n') })
    expect(bad).toMatchObject({ linearizable: false, outcome: 'not-linearizable' })
    expect(bad.counterexample!.ops[bad.counterexample!.stuck]!.value).toBe('never-written')
    await expect(control.checkHistory({ ndjson: 'not json' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(control.checkHistory({})).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })

  it('exports one bundle with every node line and every event, and the token nowhere', async () => {
    const path = join(root, 'out', 'session.tar.gz')
    const logLines = (id: number): string[] => readFileSync(join(control.dataDir!, 'logs', `n${id}.log`), 'utf8').split('\n').filter(Boolean)
    const before = [1, 2, 3].map((id) => logLines(id).length)
    const known = await control.events()
    const result = await control.exportBundle({ path })
    expect(result).toMatchObject({ path })
    expect(result.bytes).toBeGreaterThan(1000)
    expect(gunzipSync(readFileSync(path)).toString('latin1')).not.toContain(TOKEN)
    const out = join(root, 'x')
    mkdirSync(out)
    await tar.x({ file: path, cwd: out })
    // The nodes go on printing: each bundled log holds every line printed before the
    // export, and is the start of the node's log as it is now.
    for (const id of [1, 2, 3]) {
      const bundled = readFileSync(join(out, 'nodes', `${id}.log`), 'utf8').split('\n').filter(Boolean)
      expect(bundled.length).toBeGreaterThanOrEqual(before[id - 1]!)
      expect(logLines(id).slice(0, bundled.length)).toEqual(bundled)
      expect(bundled.some((l) => l.includes('"event":"node-ready"'))).toBe(true)
    }
    const bundledEvents = readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ClusterEvent)
    expect(bundledEvents.map((e) => e.seq).slice(0, known.length)).toEqual(known.map((e) => e.seq))
    expect(readFileSync(join(out, 'timeline.ndjson'), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(0)
    const [runId] = readdirSync(join(out, 'workloads'))
    expect(readdirSync(join(out, 'workloads', runId!)).sort()).toEqual(['history.ndjson', 'verdict.json'])
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({ format: 'raftkv-bundle/1', mode: 'local', token: '[redacted]', spec: { nodes: 3 }, versions: { manager: '0.1.0' }, workloads: [runId] })
  })

  it('answers over a real WebSocket like in process', async () => {
    web = await startWebServer({ api: control })
    const ws = new WebSocket(`${web.controlUrl}?token=${web.token}`)
    const frames: { id?: number; result?: unknown; error?: { code: number; data?: { code: string } }; method?: string; params?: unknown }[] = []
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as (typeof frames)[number]))
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
    const call = async (id: number, method: string, params?: unknown): Promise<(typeof frames)[number]> => {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
      return until(`answer ${id}`, () => frames.find((f) => f.id === id))
    }
    const remote = (await call(1, 'status')).result as ClusterView
    const local = await control.status()
    expect(remote.mode).toBe(local.mode)
    expect(remote.nodes.map((n) => n.id)).toEqual(local.nodes.map((n) => n.id))
    expect(remote.leader).toBeGreaterThan(0)
    expect(JSON.stringify(remote)).not.toContain(TOKEN)
    expect((await call(2, 'kill', { id: 99 })).error).toMatchObject({ code: -32000, data: { code: 'UNKNOWN_NODE' } })
    expect((await call(3, 'put', { key: 'web', value: 'mode' })).result).toBeNull()
    expect((await call(4, 'get', { key: 'web' })).result).toBe('mode')
    await call(5, 'subscribe', { topics: ['status'] })
    const pushed = await until('a status notification', () => frames.find((f) => f.method === 'status'))
    expect((pushed.params as ClusterView).nodes).toHaveLength(3)
    ws.close()
  })
})
