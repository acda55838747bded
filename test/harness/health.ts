// After a bad input: is the cluster still whole? Every node runs, one leader is agreed on,
// the term stayed small, and a short concurrent load records a linearizable history.
import { expect } from 'vitest'
import { MemoryHistory, runLoad } from '../../raftkv/client/index.js'
import { checkLinearizability } from '../../raftkv/check/index.js'
import type { LocalCluster } from './cluster.js'

/** A term no healthy test cluster reaches: one election adds one. */
export const SMALL_TERM = 1000

/** Each check writes keys of its own: the checker assumes they start absent. */
let round = 0

export async function expectHealthy(cluster: LocalCluster, ids: number[] = [...cluster.nodes.keys()]): Promise<void> {
  for (const id of ids) expect(cluster.isRunning(id), `node ${id} is running`).toBe(true)
  const lead = await cluster.waitForLeader(ids)
  const history = new MemoryHistory()
  const report = await runLoad({
    endpoints: cluster.endpointsOf(ids), token: cluster.token, clients: 4, durationMs: 1500, keys: 8,
    getRatio: 0.5, deleteRatio: 0, timeoutMs: 5000, history, keyPrefix: `h${++round}-`,
  })
  // A busy machine may manage only a few operations in the window: any will do, all must check.
  expect(report.ok).toBeGreaterThan(0)
  const verdict = checkLinearizability(history.events)
  expect(verdict.verdict, verdict.explanation).toBe('ok')
  const st = await cluster.status(lead)
  await cluster.waitForApplied(st.commitIndex, ids)
  for (const id of ids) {
    const s = await cluster.status(id)
    expect(s.term, `term of node ${id}`).toBeLessThan(SMALL_TERM)
    expect(s.removed).toBe(false)
  }
}
