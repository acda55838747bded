import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tar from 'tar'
import { writeBundle, BUNDLE_FORMAT } from './bundle.js'

const TOKEN = 'c1uster-t0ken-5ecret-0123456789abcdef'
const SESSION = 'sess10n-t0ken-feedface'

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]))
}

describe('writeBundle', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'raftkv-export-test-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('writes the documented layout with every line, and the tokens nowhere', async () => {
    // Node 1's log is a file on disk (3,000 lines, one of them carrying the token); node 2's is in memory.
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ level: 30, time: i, msg: i === 1234 ? `dialing with token ${TOKEN}` : `line ${i}` }))
    writeFileSync(join(dir, 'n1.log'), lines.join('\n') + '\n')
    const runDir = join(dir, 'workloads', 'run-0a1b2c3d')
    mkdirSync(runDir, { recursive: true })
    writeFileSync(join(runDir, 'history.ndjson'), '{"type":"invoke","process":0,"f":"get","key":"k","value":null,"time":1}\n{"type":"ok","process":0,"f":"get","key":"k","value":null,"time":2}\n')
    writeFileSync(join(runDir, 'verdict.json'), JSON.stringify({ runId: 'run-0a1b2c3d', verdict: { outcome: 'linearizable' } }, null, 2))
    writeFileSync(join(dir, 'timeline.ndjson'), '{"timeMs":1,"view":{"leader":1}}\n{"timeMs":2,"view":{"leader":2}}\n')
    async function* events(): AsyncIterable<unknown> {
      yield { seq: 1, timeMs: 10, kind: 'cluster-launched', detail: { nodes: 2 } }
      yield { seq: 2, timeMs: 11, kind: 'node-killed', node: 1, detail: { note: `url http://127.0.0.1:1/#token=${SESSION}` } }
    }
    const path = join(dir, 'out', 'bundle.tar.gz')
    const result = await writeBundle({
      path,
      manifest: { versions: { manager: '0.1.0' }, spec: { nodes: 2, token: TOKEN }, cluster: { authToken: `Bearer ${TOKEN}` }, times: { launchedMs: 5 } },
      secrets: [TOKEN, SESSION],
      nodeLogs: [{ id: 2, source: { lines: ['{"msg":"ready"}', '{"msg":"became leader"}'] } }, { id: 1, source: { file: join(dir, 'n1.log') } }],
      events: { records: events() },
      timeline: { file: join(dir, 'timeline.ndjson') },
      workloadsDir: join(dir, 'workloads'),
    })
    expect(result.path).toBe(path)
    expect(result.bytes).toBe(readFileSync(path).length)

    // The raw (gunzipped) archive holds neither token.
    const raw = gunzipSync(readFileSync(path)).toString('latin1')
    expect(raw).not.toContain(TOKEN)
    expect(raw).not.toContain(SESSION)

    const out = join(dir, 'x')
    mkdirSync(out)
    await tar.x({ file: path, cwd: out })
    expect(walk(out).sort()).toEqual([
      'events.ndjson', 'manifest.json', 'nodes/1.log', 'nodes/2.log', 'timeline.ndjson',
      'workloads/run-0a1b2c3d/history.ndjson', 'workloads/run-0a1b2c3d/verdict.json',
    ])
    const node1 = readFileSync(join(out, 'nodes/1.log'), 'utf8').split('\n').filter(Boolean)
    expect(node1).toHaveLength(3000)
    expect(node1[1234]).toContain('dialing with token [redacted]')
    expect(node1[2999]).toBe(lines[2999])
    expect(readFileSync(join(out, 'nodes/2.log'), 'utf8')).toBe('{"msg":"ready"}\n{"msg":"became leader"}\n')
    const ev = readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; detail: { note?: string } })
    expect(ev.map((e) => e.kind)).toEqual(['cluster-launched', 'node-killed'])
    expect(ev[1]!.detail.note).toBe('url http://127.0.0.1:1/#token=[redacted]')
    expect(readFileSync(join(out, 'timeline.ndjson'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({
      format: BUNDLE_FORMAT, versions: { manager: '0.1.0' }, spec: { nodes: 2, token: '[redacted]' }, cluster: { authToken: 'Bearer [redacted]' },
      times: { launchedMs: 5 }, workloads: ['run-0a1b2c3d'],
      files: { 'nodes/1.log': 3000, 'nodes/2.log': 2, 'events.ndjson': 2, 'timeline.ndjson': 2 },
    })
    expect(JSON.parse(readFileSync(join(out, 'workloads/run-0a1b2c3d/verdict.json'), 'utf8'))).toMatchObject({ verdict: { outcome: 'linearizable' } })
  })

  it('writes a bundle without workloads or timeline samples', async () => {
    const path = join(dir, 'empty.tar.gz')
    await writeBundle({ path, manifest: {}, secrets: [], nodeLogs: [], events: { records: [] }, timeline: { records: [] }, workloadsDir: join(dir, 'none') })
    const names: string[] = []
    await tar.t({ file: path, onReadEntry: (e) => { names.push(e.path) } })
    expect(names.sort()).toEqual(['events.ndjson', 'manifest.json', 'nodes/', 'timeline.ndjson'])
  })
})
