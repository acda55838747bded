// Concurrent clients under partitions and SIGKILLs record a Jepsen-style history; the
// linearizability checker accepts it, and rejects the same history once corrupted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, sleep } from '../harness/cluster.js'
import { runLoad, MemoryHistory, type HistoryEvent } from '../../raftkv/client/index.js'
import { checkLinearizability } from '../../raftkv/check/index.js'
import { seededRandom } from '../support/random-history.js'

describe('linearizability under faults', () => {
  let cluster: LocalCluster
  beforeAll(async () => { cluster = await LocalCluster.start({ size: 3 }) })
  afterAll(async () => { await cluster?.stop() })

  it('a history recorded through partitions and kills is linearizable', async () => {
    const history = new MemoryHistory()
    const rand = seededRandom(20261125)
    const controller = new AbortController()
    const load = runLoad({
      endpoints: cluster.endpoints, token: cluster.token, clients: 8, durationMs: 12_000, keys: 12,
      getRatio: 0.5, deleteRatio: 0.1, timeoutMs: 3000, history, random: rand, signal: controller.signal,
    })
    const faults: string[] = []
    // Chaos: alternately partition a random node away, heal, and kill -9 / restart a random node.
    for (let round = 0; round < 4; round++) {
      await sleep(1200)
      const victim = 1 + Math.floor(rand() * 3)
      if (round % 2 === 0) {
        faults.push(`partition ${victim}`)
        await cluster.partition([victim], [1, 2, 3].filter((id) => id !== victim))
        await sleep(1500)
        await cluster.heal()
      } else {
        faults.push(`kill ${victim}`)
        await cluster.kill(victim)
        await sleep(1000)
        await cluster.startNode(victim)
      }
    }
    const report = await load
    const events: HistoryEvent[] = history.events
    expect(report.ok).toBeGreaterThan(200)
    const result = checkLinearizability(events)
    expect(result.verdict, `${faults.join(', ')}\n${result.explanation}`).toBe('ok')

    // The same history with one successful read changed to a value never written must fail.
    const corrupted = events.map((e) => ({ ...e }))
    const i = corrupted.findIndex((e) => e.type === 'ok' && e.f === 'get' && e.value !== null)
    expect(i).toBeGreaterThanOrEqual(0)
    corrupted[i] = { ...corrupted[i]!, value: 'never-written' }
    const bad = checkLinearizability(corrupted)
    expect(bad.verdict).toBe('illegal')
    expect(bad.violations[0]?.key).toBe(corrupted[i]!.key)
  })
})
