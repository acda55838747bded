// Linearizable-by-construction KV histories for testing the checker: concurrent
// processes against one atomic store, each op taking effect at a random moment
// between its invoke and its completion (an info op: maybe never), driven by a
// seeded generator so every run sees the same history.
import type { HistoryEvent, HistoryFunction } from '../../raftkv/client/history.js'
import { mulberry32 } from '../../raftkv/raft/prng.js'

/** A seeded PRNG (mulberry32), the one raftkv/raft uses. */
export const seededRandom = mulberry32

export interface RandomHistoryOptions {
  seed: number
  processes: number
  keys: number
  /** Operations invoked in all. */
  operations: number
  /** Fraction of ops completing as info (default 0.05); half of those never take effect. */
  infoRate?: number
  /** Fraction of writes completing as fail, without effect (default 0.02). */
  failRate?: number
}

interface Running {
  process: number
  f: HistoryFunction
  key: string
  value: string | null
  applied: boolean
  result: string | null
  info: boolean
  fail: boolean
}

export function randomHistory(options: RandomHistoryOptions): HistoryEvent[] {
  const random = seededRandom(options.seed)
  const infoRate = options.infoRate ?? 0.05
  const failRate = options.failRate ?? 0.02
  const store = new Map<string, string>()
  const events: HistoryEvent[] = []
  const running = new Map<number, Running>()
  // In-doubt writes that have not applied yet but may still apply later.
  const deferred: Running[] = []
  const nextProcess = Array.from({ length: options.processes }, (_, i) => i)
  let time = 0
  let invoked = 0
  let seq = 0
  while (invoked < options.operations || running.size > 0) {
    time += 1 + Math.floor(random() * 1000)
    const slot = Math.floor(random() * options.processes)
    const op = running.get(slot)
    if (op === undefined) {
      if (invoked >= options.operations) continue
      invoked++
      const r = random()
      const f: HistoryFunction = r < 0.5 ? 'get' : r < 0.9 ? 'put' : 'delete'
      const key = `k${Math.floor(random() * options.keys)}`
      const value = f === 'put' ? `v${seq++}` : null
      const info = random() < infoRate
      const fail = !info && f !== 'get' && random() < failRate
      const process = nextProcess[slot]!
      running.set(slot, { process, f, key, value, applied: false, result: null, info, fail })
      events.push({ type: 'invoke', process, f, key, value, time })
    } else if (!op.applied && !op.fail && !(op.info && random() < 0.5)) {
      // The op's linearization point.
      op.applied = true
      if (op.f === 'get') op.result = store.get(op.key) ?? null
      else if (op.f === 'put') store.set(op.key, op.value!)
      else store.delete(op.key)
    } else {
      const type = op.fail ? 'fail' : op.info ? 'info' : op.applied ? 'ok' : undefined
      if (type === undefined) continue
      running.delete(slot)
      events.push({ type, process: op.process, f: op.f, key: op.key, value: op.f === 'get' ? (type === 'ok' ? op.result : null) : op.value, time })
      // An info op stays in doubt: its process never invokes again (Jepsen's rule).
      if (type === 'info') nextProcess[slot] = nextProcess[slot]! + options.processes
      if (type === 'info' && !op.applied && op.f !== 'get' && random() < 0.5) deferred.push(op)
    }
    if (deferred.length > 0 && random() < 0.1) {
      const late = deferred.shift()!
      if (late.f === 'put') store.set(late.key, late.value!)
      else store.delete(late.key)
    }
  }
  return events
}
