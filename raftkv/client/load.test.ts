import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { kvpb } from '../../proto/generated/protos.js'
import { FakeCluster, type FakeBehavior } from '../../test/support/fake-kv-server.js'
import { checkLinearizability } from '../check/index.js'
import { seededRandom } from '../../test/support/random-history.js'
import { MemoryHistory, NdjsonHistoryFile, parseHistory } from './history.js'
import { runLoad, type LoadProgress } from './load.js'

const TOKEN = 'load-token'
let cluster: FakeCluster
let dir: string

beforeEach(async () => {
  cluster = await FakeCluster.start({ nodes: 3, token: TOKEN })
  dir = mkdtempSync(join(tmpdir(), 'raftkv-load-'))
})

afterEach(async () => {
  await cluster.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('runLoad', () => {
  it('runs closed-loop clients, reports per operation and records a linearizable history', async () => {
    const history = new MemoryHistory()
    const progress: LoadProgress[] = []
    const report = await runLoad({
      endpoints: cluster.endpoints, token: TOKEN, clients: 8, durationMs: 400, keys: 5, valueSize: 32,
      getRatio: 0.5, deleteRatio: 0.1, history, onProgress: (p) => progress.push(p), progressIntervalMs: 100, keyPrefix: 'run1-',
    })
    expect(report.clients).toBe(8)
    expect(report.completed).toBeGreaterThan(50)
    expect(report.fail + report.info).toBe(0)
    for (const f of ['put', 'get', 'delete'] as const) {
      const op = report.operations[f]
      expect(op.ok).toBeGreaterThan(0)
      expect(op.latency.count).toBe(op.ok)
      expect(op.latency.p50Ms).toBeLessThanOrEqual(op.latency.p99Ms)
      expect(op.latency.p99Ms).toBeLessThanOrEqual(op.latency.maxMs)
    }
    expect(progress.length).toBeGreaterThan(0)
    expect(history.events).toHaveLength(2 * report.completed)
    const puts = history.events.filter((e) => e.type === 'invoke' && e.f === 'put')
    expect(new Set(puts.map((e) => e.value)).size).toBe(puts.length)
    expect(puts.every((e) => e.value!.length === 32)).toBe(true)
    expect(history.events.every((e) => /^run1-\d{11}$/.test(e.key))).toBe(true)
    expect(checkLinearizability(history.events).verdict).toBe('ok')
  })

  it('records unknown outcomes as info and refusals as fail, and the history stays linearizable', async () => {
    // The leader misbehaves on a fixed (seeded) share of requests.
    const random = seededRandom(42)
    const behaviors: FakeBehavior[] = []
    for (let i = 0; i < 4000; i++) {
      const r = random()
      behaviors.push(
        r < 0.03 ? { kind: 'dropConnection', apply: true }
          : r < 0.06 ? { kind: 'dropConnection', apply: false }
            : r < 0.09 ? { kind: 'staleCommand' }
              : r < 0.12 ? { kind: 'notLeader', leaderId: 1, leaderAddr: cluster.node(1).addr }
                : r < 0.14 ? { kind: 'error', code: kvpb.ErrorCode.VALUE_TOO_LARGE }
                  : { kind: 'delay', ms: 0 },
      )
    }
    cluster.node(1).respondNext(...behaviors)
    const file = join(dir, 'history.ndjson')
    const history = new NdjsonHistoryFile(file)
    const report = await runLoad({
      endpoints: [cluster.node(1).addr], token: TOKEN, clients: 6, durationMs: 500, keys: 3, valueSize: 8,
      getRatio: 0.5, deleteRatio: 0.1, history, timeoutMs: 2000, random: seededRandom(7),
    })
    await history.close()
    const events = parseHistory(readFileSync(file, 'utf8'))
    expect(events).toHaveLength(2 * report.completed)
    expect(report.info).toBeGreaterThan(0)
    expect(report.errors.CONNECTION).toBe(report.info)
    expect(report.fail).toBeGreaterThan(0)
    expect(report.errors.VALUE_TOO_LARGE).toBe(report.fail)
    const infos = events.filter((e) => e.type === 'info')
    expect(infos.every((e) => e.f !== 'get')).toBe(true)
    // A process whose op is in doubt never invokes again.
    for (const info of infos) {
      const after = events.slice(events.indexOf(info) + 1)
      expect(after.some((e) => e.process === info.process)).toBe(false)
    }
    const result = checkLinearizability(events)
    expect(result.explanation).toMatch(/^linearizable/)
  })

  it('stops early when aborted, and fails fast on bad options', async () => {
    const controller = new AbortController()
    const started = performance.now()
    const done = runLoad({ endpoints: cluster.endpoints, token: TOKEN, clients: 2, durationMs: 60_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    const report = await done
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(report.completed).toBeGreaterThan(0)
    await expect(runLoad({ endpoints: cluster.endpoints, token: TOKEN, getRatio: 0.8, deleteRatio: 0.5 })).rejects.toThrow(RangeError)
  })
})
