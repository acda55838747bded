// The load generator: closed-loop clients (each waits for its answer before
// the next op) in one process, over one shared RaftKvClient. Reports live
// progress, then throughput and latency per operation, and can record a
// Jepsen-style history (see history.ts) for a linearizability check.
import { randomBytes } from 'node:crypto'
import { ClientError } from './errors.js'
import { monotonicNs, type HistoryEvent, type HistoryFunction, type HistorySink } from './history.js'
import { DEFAULT_ATTEMPT_TIMEOUT_MS, RaftKvClient } from './kv-client.js'
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js'

export interface LoadOptions {
  endpoints: string[]
  token: string
  /** Concurrent closed-loop clients (default 16). */
  clients?: number
  /** How long new operations are started (default 10000); in-flight ones then finish. */
  durationMs?: number
  /** Size of the key space (default 10000): keys are 16 bytes, `k000000000000042`. */
  keys?: number
  /**
   * Replaces the leading `k` of every key (default 'k'), so that runs over one
   * cluster can use keys of their own: a history only explains the writes it records.
   */
  keyPrefix?: string
  /** Bytes per written value (default 128); a value is never shorter than its unique tag. */
  valueSize?: number
  /** Fraction of gets (default 0.5). */
  getRatio?: number
  /** Fraction of deletes (default 0); the rest are puts. */
  deleteRatio?: number
  /** Deadline of one operation, retries included (default 5000). */
  timeoutMs?: number
  /** Bound of one attempt on one node (default 2500: a stalled leader costs a load client 2.5 s, not the whole deadline). */
  attemptTimeoutMs?: number
  history?: HistorySink
  /** Process numbers start here, so that several runs can share one history (default 0). */
  processBase?: number
  onProgress?: (progress: LoadProgress) => void
  /** Interval of onProgress (default 1000). */
  progressIntervalMs?: number
  /** Stops starting new operations when aborted. */
  signal?: AbortSignal
  /** Use this client instead of opening one (it is left open). */
  client?: RaftKvClient
  /** Source of randomness for op choice and keys (default Math.random). */
  random?: () => number
}

export interface LoadProgress {
  elapsedMs: number
  /** Operations completed so far, whatever their outcome. */
  completed: number
  ok: number
  fail: number
  info: number
  /** Completed operations per second over the last interval. */
  opsPerSec: number
}

export interface OperationReport {
  count: number
  ok: number
  fail: number
  info: number
  /** Successful operations per second over the whole run. */
  okPerSec: number
  /** Latency of the successful operations. */
  latency: LatencySummary
}

export interface LoadReport {
  durationMs: number
  clients: number
  completed: number
  ok: number
  fail: number
  info: number
  okPerSec: number
  operations: Record<HistoryFunction, OperationReport>
  /** Failures and unknown outcomes by error code. */
  errors: Record<string, number>
}

interface Tally {
  count: number
  ok: number
  fail: number
  info: number
  latency: LatencyHistogram
}

const FUNCTIONS: readonly HistoryFunction[] = ['put', 'get', 'delete']

/** The key for index i: prefix + digits, 16 bytes in all when the prefix is short enough. */
export function loadKey(i: number, prefix = 'k'): string {
  return prefix + String(i).padStart(Math.max(1, 16 - prefix.length), '0')
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const clients = options.clients ?? 16
  const durationMs = options.durationMs ?? 10_000
  const keys = options.keys ?? 10_000
  const valueSize = options.valueSize ?? 128
  const getRatio = options.getRatio ?? 0.5
  const deleteRatio = options.deleteRatio ?? 0
  const random = options.random ?? Math.random
  const processBase = options.processBase ?? 0
  const keyPrefix = options.keyPrefix ?? 'k'
  if (!(clients >= 1 && Number.isInteger(clients))) throw new RangeError('clients must be a positive integer')
  if (!(keys >= 1 && Number.isInteger(keys))) throw new RangeError('keys must be a positive integer')
  if (!(getRatio >= 0 && deleteRatio >= 0 && getRatio + deleteRatio <= 1)) throw new RangeError('getRatio and deleteRatio must be >= 0 and add up to at most 1')

  const client = options.client ?? new RaftKvClient({
    endpoints: options.endpoints, token: options.token, timeoutMs: options.timeoutMs, attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
  })
  // Values are unique per write: run tag, process and sequence number.
  const runTag = randomBytes(4).toString('hex')
  const tallies = Object.fromEntries(FUNCTIONS.map((f) => [f, { count: 0, ok: 0, fail: 0, info: 0, latency: new LatencyHistogram() }])) as Record<HistoryFunction, Tally>
  const errors: Record<string, number> = {}
  const record = (event: HistoryEvent): void => options.history?.record(event)

  let stopping = false
  const stop = (): void => { stopping = true }
  const timer = setTimeout(stop, durationMs)
  options.signal?.addEventListener('abort', stop, { once: true })
  if (options.signal?.aborted === true) stop()

  const started = performance.now()
  let completed = 0
  let lastCompleted = 0
  let lastTick = started
  const progressTimer = options.onProgress === undefined ? undefined : setInterval(() => {
    const now = performance.now()
    const totals = sumTallies(tallies)
    options.onProgress!({ elapsedMs: now - started, completed, ...totals, opsPerSec: ((completed - lastCompleted) * 1000) / Math.max(1, now - lastTick) })
    lastCompleted = completed
    lastTick = now
  }, options.progressIntervalMs ?? 1000)

  const worker = async (index: number): Promise<void> => {
    let proc = processBase + index
    let seq = 0
    while (!stopping) {
      const r = random()
      const f: HistoryFunction = r < getRatio ? 'get' : r < getRatio + deleteRatio ? 'delete' : 'put'
      const key = loadKey(Math.floor(random() * keys), keyPrefix)
      const value = f === 'put' ? uniqueValue(`${runTag}-${proc}-${seq++}`, valueSize) : null
      const tally = tallies[f]
      tally.count++
      record({ type: 'invoke', process: proc, f, key, value, time: monotonicNs() })
      const t0 = performance.now()
      try {
        let read: string | null = value
        if (f === 'get') read = bufferText(await client.get(key))
        else if (f === 'put') await client.put(key, value!)
        else await client.delete(key)
        tally.ok++
        tally.latency.record(performance.now() - t0)
        record({ type: 'ok', process: proc, f, key, value: read, time: monotonicNs() })
      } catch (err) {
        if (!(err instanceof ClientError)) throw err
        errors[err.code] = (errors[err.code] ?? 0) + 1
        const type = err.unknownOutcome ? 'info' : 'fail'
        tally[type]++
        record({ type, process: proc, f, key, value, time: monotonicNs(), error: err.code })
        // Jepsen's rule: a process whose op is in doubt never invokes again; a fresh one takes over.
        if (type === 'info') proc += clients
      }
      completed++
    }
  }

  try {
    // A bug (not a ClientError) in one worker stops them all.
    await Promise.all(Array.from({ length: clients }, (_, i) => worker(i).catch((err: unknown) => { stop(); throw err })))
  } finally {
    clearTimeout(timer)
    if (progressTimer !== undefined) clearInterval(progressTimer)
    options.signal?.removeEventListener('abort', stop)
    if (options.client === undefined) await client.close()
  }

  const elapsed = performance.now() - started
  const operations = Object.fromEntries(FUNCTIONS.map((f) => {
    const t = tallies[f]
    const report: OperationReport = { count: t.count, ok: t.ok, fail: t.fail, info: t.info, okPerSec: (t.ok * 1000) / elapsed, latency: t.latency.summary() }
    return [f, report]
  })) as Record<HistoryFunction, OperationReport>
  const totals = sumTallies(tallies)
  return { durationMs: elapsed, clients, completed, ...totals, okPerSec: (totals.ok * 1000) / elapsed, operations, errors }
}

function sumTallies(tallies: Record<HistoryFunction, Tally>): { ok: number; fail: number; info: number } {
  let ok = 0
  let fail = 0
  let info = 0
  for (const f of FUNCTIONS) {
    ok += tallies[f].ok
    fail += tallies[f].fail
    info += tallies[f].info
  }
  return { ok, fail, info }
}

function uniqueValue(tag: string, size: number): string {
  return tag.length >= size ? tag : tag + ':' + '.'.repeat(size - tag.length - 1)
}

function bufferText(value: Buffer | null): string | null {
  return value === null ? null : value.toString('utf8')
}
