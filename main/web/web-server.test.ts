import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { fakeControlApi, FAKE_VIEW, type FakeControlApi } from '../../test/support/fake-control-api.js'
import { startWebServer, type WebServer, type WebServerOptions } from './web-server.js'
import { CSP } from './static-files.js'
import { upgradeStatus } from '../../test/support/ws-upgrade.js'

interface Frame { jsonrpc: string; id?: number | string | null; result?: unknown; error?: { code: number; message: string; data?: { code?: string; kvCode?: string } }; method?: string; params?: unknown }

/** A JSON-RPC client over a real WebSocket: call() waits for the answer with that id. */
class Client {
  readonly frames: Frame[] = []
  private waiters: (() => void)[] = []
  private nextId = 1
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const parsed = JSON.parse(data.toString()) as Frame | Frame[]
      for (const f of Array.isArray(parsed) ? parsed : [parsed]) this.frames.push(f)
      for (const w of this.waiters.splice(0)) w()
    })
  }
  static async open(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers })
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject) })
    return new Client(ws)
  }
  async until(pred: (f: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const hit = this.frames.find(pred)
      if (hit !== undefined) return hit
      await new Promise<void>((resolve, reject) => {
        this.waiters.push(resolve)
        this.ws.once('close', () => reject(new Error('closed')))
      })
    }
  }
  async call(method: string, params?: unknown): Promise<Frame> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }))
    return this.until((f) => f.id === id)
  }
  async raw(text: string | Buffer): Promise<Frame> {
    const before = this.frames.length
    this.ws.send(text)
    await this.until(() => this.frames.length > before)
    return this.frames.at(-1)!
  }
}

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('web mode: JSON-RPC 2.0 over WebSocket at /control', () => {
  let server: WebServer | undefined
  let api: FakeControlApi
  const clients: Client[] = []
  const dirs: string[] = []
  async function start(opts: Partial<WebServerOptions> = {}): Promise<WebServer> {
    api = fakeControlApi(opts.api === undefined ? {} : {})
    server = await startWebServer({ api, ...opts })
    return server
  }
  async function connect(): Promise<Client> {
    const c = await Client.open(`${server!.controlUrl}?token=${server!.token}`)
    clients.push(c)
    return c
  }
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate()
    await server?.close()
    server = undefined
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('answers methods like in process, ControlErrors as -32000 with data.code', async () => {
    const s = await start()
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/#token=${s.token}`)
    const c = await connect()
    expect(await c.call('status')).toEqual({ jsonrpc: '2.0', id: 1, result: FAKE_VIEW })
    expect((await c.call('get', { key: 'k' })).result).toBe('v')
    expect((await c.call('get', { key: 'nope' })).result).toBeNull()
    // A method that returns nothing answers null.
    expect(await c.call('kill', { id: 2 })).toMatchObject({ result: null })
    expect(api.calls.at(-1)).toEqual({ method: 'kill', params: { id: 2 } })
    const unknown = await c.call('kill', { id: 9 })
    expect(unknown.error).toEqual({ code: -32000, message: 'no node 9', data: { code: 'UNKNOWN_NODE', message: 'no node 9' } })
    expect((await c.call('put', { key: 'a', value: 'b' })).error).toMatchObject({ code: -32000, data: { code: 'KV_ERROR', kvCode: 'NOT_LEADER' } })
    expect((await c.call('kill')).error).toMatchObject({ code: -32000, data: { code: 'BAD_ARGUMENT' } })
  })

  it('never sends a secret it was told about', async () => {
    const secret = 'cluster-token-that-must-not-leak'
    server = await startWebServer({ api: fakeControlApi({ get: async () => `value with ${secret} inside` }), secrets: () => [secret, undefined] })
    const c = await connect()
    expect((await c.call('get', { key: 'k' })).result).toBe('value with [redacted] inside')
  })

  it("uses JSON-RPC's own codes for garbage, unknown methods and bad params, and the connection survives", async () => {
    await start()
    const c = await connect()
    expect((await c.raw('{"jsonrpc":"2.0","id":1,"meth')).error).toMatchObject({ code: -32700 })
    expect((await c.raw(Buffer.from([0xff, 0x00, 0x01]))).error).toMatchObject({ code: -32700 })
    expect((await c.raw('{"id":"r5"}')).error).toMatchObject({ code: -32600 })
    expect((await c.call('formatDisk')).error).toMatchObject({ code: -32601 })
    expect((await c.call('constructor')).error).toMatchObject({ code: -32601 })
    expect((await c.call('kill', [1])).error).toMatchObject({ code: -32602 })
    expect((await c.call('kill', 'one')).error).toMatchObject({ code: -32602 })
    expect((await c.call('subscribe', { topics: ['status', 'gossip'] })).error).toMatchObject({ code: -32602 })
    // A batch gets an array of answers.
    const batch = JSON.parse(await new Promise<string>((resolve) => {
      c.ws.once('message', (d) => resolve(d.toString()))
      c.ws.send(JSON.stringify([{ jsonrpc: '2.0', id: 'a', method: 'status' }, { jsonrpc: '2.0', id: 'b', method: 'nope' }]))
    })) as Frame[]
    expect(batch.map((f) => [f.id, f.error?.code ?? 'ok'])).toEqual([['a', 'ok'], ['b', -32601]])
    expect((await c.call('status')).result).toEqual(FAKE_VIEW)
  })

  it('sends notifications only for the topics subscribed, until unsubscribed or closed', async () => {
    await start()
    const c = await connect()
    api.emit('status', { ...FAKE_VIEW, term: 1 })
    expect((await c.call('subscribe', { topics: ['status', 'event'] })).result).toBeNull()
    api.emit('status', { ...FAKE_VIEW, term: 8 })
    api.emit('log', [{ node: 1, timeMs: 1, level: 'info', msg: 'not subscribed', fields: {} }])
    api.emit('event', { seq: 3, timeMs: 2, kind: 'node-killed', node: 1, detail: {} })
    const ev = await c.until((f) => f.method === 'event')
    expect(ev).toEqual({ jsonrpc: '2.0', method: 'event', params: { seq: 3, timeMs: 2, kind: 'node-killed', node: 1, detail: {} } })
    expect(c.frames.filter((f) => f.method === 'status').map((f) => (f.params as { term: number }).term)).toEqual([8])
    expect(c.frames.some((f) => f.method === 'log')).toBe(false)
    await c.call('unsubscribe', { topics: ['status'] })
    expect(api.listeners('status')).toBe(0)
    expect(api.listeners('event')).toBe(1)
    c.ws.close()
    await expect.poll(() => api.listeners('event')).toBe(0)
  })

  it('refuses an upgrade without the session token (401), from a foreign Origin (403), elsewhere (404)', async () => {
    const s = await start()
    expect(await upgradeStatus(s.controlUrl)).toBe(401)
    expect(await upgradeStatus(`${s.controlUrl}?token=wrong`)).toBe(401)
    expect(await upgradeStatus(`${s.controlUrl}?token=${s.token}`, { origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(`${s.controlUrl}?token=${s.token}`, { origin: `http://127.0.0.1:${s.port + 1}` })).toBe(403)
    expect(await upgradeStatus(`ws://127.0.0.1:${s.port}/other?token=${s.token}`)).toBe(404)
    expect(await upgradeStatus(`${s.controlUrl}?token=${s.token}`, { origin: `http://127.0.0.1:${s.port}` })).toBe(101)
    expect(await upgradeStatus(`${s.controlUrl}?token=${s.token}`, { origin: `http://localhost:${s.port}` })).toBe(101)
    expect(await upgradeStatus(`${s.controlUrl}?token=${s.token}`)).toBe(101)
  })

  it('closes a connection that sends an oversized frame and stays up for the next', async () => {
    const s = await start({ maxFrameBytes: 4096 })
    const c = await connect()
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)))
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'put', params: { key: 'k', value: 'x'.repeat(10_000) } }))
    expect(await closed).toBe(1009)
    const next = await connect()
    expect((await next.call('status')).result).toEqual(FAKE_VIEW)
    expect(s.connections()).toBe(1)
  })

  it('serves the dashboard folder with a strict CSP, never outside it, only to its own Host; and the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-web-test-'))
    dirs.push(dir)
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>dash</title>')
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(dir, 'bundle.tar.gz'), Buffer.from([1, 2, 3, 4]))
    const s = await startWebServer({ api: fakeControlApi({ exportBundle: async () => ({ path: join(dir, 'bundle.tar.gz'), bytes: 4 }) }), staticDir: dir })
    server = s
    const index = await get(s.port, '/')
    expect(index.status).toBe(200)
    expect(index.headers['content-security-policy']).toBe(CSP)
    expect(index.headers['content-type']).toMatch(/^text\/html/)
    expect(index.body.toString()).toContain('<title>dash</title>')
    const js = await get(s.port, '/assets/app.js')
    expect([js.status, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8'])
    expect((await get(s.port, '/../package.json')).status).toBe(404)
    expect((await get(s.port, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404)
    expect((await get(s.port, '/missing.js')).status).toBe(404)
    expect((await get(s.port, '/', 'evil.example:80')).status).toBe(421)
    expect((await get(s.port, '/export')).status).toBe(401)
    const bundle = await get(s.port, `/export?token=${s.token}`)
    expect(bundle.status).toBe(200)
    expect(bundle.headers['content-type']).toBe('application/gzip')
    expect(bundle.headers['content-disposition']).toBe('attachment; filename="bundle.tar.gz"')
    expect([...bundle.body]).toEqual([1, 2, 3, 4])
  })

  it('serves a placeholder page when the dashboard is not built', async () => {
    const s = await start({ staticDir: join(tmpdir(), 'raftkv-no-such-dir') })
    const page = await get(s.port, '/')
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toBe(CSP)
    expect(page.body.toString()).toContain('/control')
    expect((await get(s.port, '/app.js')).status).toBe(404)
  })
})
