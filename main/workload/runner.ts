// Checked workloads: the client load generator with its history recorder and an
// optional nemesis, progress every second, then the whole history checked for
// linearizability. One run at a time; each run's history and verdict are kept on
// disk under <dir>/<runId>/ (history.ndjson, verdict.json) for the export bundle.
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryHistory, NdjsonHistoryFile, runLoad, type HistorySink } from '../../raftkv/client/index.js'
import { ControlError } from '../control/errors.js'
import { validateWorkload } from '../control/validate.js'
import type { Verdict, WorkloadNotification, WorkloadSpec, WorkloadState, WorkloadView } from '../control/types.js'
import { DEFAULT_CHECK_BUDGET_MS } from './check-history.js'
import { checkOffThread } from './check-off-thread.js'
import type { WorkloadCluster } from './cluster-ops.js'
import { Nemesis, type NemesisReport } from './nemesis.js'
import { ProgressMeter, type IntervalFigures } from './progress-meter.js'

export type WorkloadEventKind = 'workload-started' | 'workload-finished' | 'nemesis'

export interface WorkloadRunnerOptions {
  cluster: WorkloadCluster
  /** Each run's files go to <dir>/<runId>/. */
  dir: string
  onNotification?: (notification: WorkloadNotification) => void
  onEvent?: (kind: WorkloadEventKind, detail: Record<string, unknown>) => void
  /** The checker's time budget (default 10 s): past it the verdict is "unknown". */
  checkBudgetMs?: number
  progressIntervalMs?: number
  /** Deadline of one client operation, retries included (default 3000). */
  opTimeoutMs?: number
  random?: () => number
}

/** What verdict.json holds. */
export interface WorkloadRecord {
  runId: string
  spec: WorkloadSpec
  state: WorkloadState
  startedMs: number
  finishedMs: number
  ops: number
  errors: number
  verdict: Verdict | null
  reason?: string
}

interface Run {
  runId: string
  spec: WorkloadSpec
  startedMs: number
  state: WorkloadState
  abort: AbortController
  meter: ProgressMeter
  last: IntervalFigures | undefined
  verdict: Verdict | null
  done: Promise<void>
}

export class WorkloadRunner {
  private run: Run | undefined
  private readonly notify: (n: WorkloadNotification) => void
  private readonly event: (kind: WorkloadEventKind, detail: Record<string, unknown>) => void

  constructor(private readonly options: WorkloadRunnerOptions) {
    this.notify = options.onNotification ?? (() => {})
    this.event = options.onEvent ?? (() => {})
  }

  get running(): boolean {
    return this.run !== undefined && (this.run.state === 'running' || this.run.state === 'checking')
  }

  start(rawSpec: unknown): { runId: string } {
    const spec = validateWorkload(rawSpec)
    if (this.running) throw new ControlError('BAD_ARGUMENT', `workload ${this.run!.runId} is still running: stop it first`)
    const tag = randomBytes(4).toString('hex')
    const runId = `run-${tag}`
    const runDir = join(this.options.dir, runId)
    mkdirSync(runDir, { recursive: true })
    const memory = new MemoryHistory()
    const file = new NdjsonHistoryFile(join(runDir, 'history.ndjson'))
    const meter = new ProgressMeter(tee(memory, file))
    const run: Run = { runId, spec, startedMs: Date.now(), state: 'running', abort: new AbortController(), meter, last: undefined, verdict: null, done: Promise.resolve() }
    this.run = run
    this.event('workload-started', { runId, spec })
    run.done = this.execute(run, memory, file, runDir).catch((err: unknown) => {
      // Not a load or check failure (those are handled inside): say so and end the run.
      run.state = 'failed'
      const reason = `workload runner: ${err instanceof Error ? err.message : String(err)}`
      const totals = run.meter.totals
      this.notify({ kind: 'finished', runId, state: 'failed', ops: totals.ops, errors: totals.errors, verdict: null, reason })
      this.event('workload-finished', { runId, state: 'failed', outcome: null, ops: totals.ops, reason })
    })
    return { runId }
  }

  /** Ends the running workload early; its history so far is still checked. */
  async stop(): Promise<void> {
    const run = this.run
    if (run === undefined || !this.running) throw new ControlError('BAD_ARGUMENT', 'no workload is running')
    run.abort.abort()
    await run.done
  }

  /** Stops any run and waits for it (the cluster is going away). */
  async close(): Promise<void> {
    const run = this.run
    if (run === undefined) return
    run.abort.abort()
    await run.done
  }

  /** Resolves when the current (or last) run has finished. */
  async settled(): Promise<WorkloadView | null> {
    await this.run?.done
    return this.view()
  }

  view(): WorkloadView | null {
    const run = this.run
    if (run === undefined) return null
    const totals = run.meter.totals
    return {
      runId: run.runId,
      state: run.state,
      spec: run.spec,
      startedMs: run.startedMs,
      elapsedMs: Date.now() - run.startedMs,
      ops: totals.ops,
      errors: totals.errors,
      opsPerSec: run.last?.opsPerSec ?? 0,
      p99Ms: run.last?.latency.p99Ms ?? 0,
      verdict: run.verdict,
    }
  }

  private async execute(run: Run, memory: MemoryHistory, file: NdjsonHistoryFile, runDir: string): Promise<void> {
    const { spec, runId } = run
    const nemesis = new Nemesis(this.options.cluster, spec.nemesis ?? [], {
      random: this.options.random,
      onReport: (report: NemesisReport) => this.event('nemesis', { runId, ...report }),
    })
    const progress = setInterval(() => {
      const figures = run.meter.take()
      run.last = figures
      this.notify({
        kind: 'progress', runId, elapsedMs: Date.now() - run.startedMs, ops: figures.ops, errors: figures.errors,
        opsPerSec: figures.opsPerSec, errorsPerSec: figures.errorsPerSec, latency: figures.latency,
      })
    }, this.options.progressIntervalMs ?? 1000)
    let failure: string | undefined
    nemesis.start()
    try {
      const connection = this.options.cluster.connection()
      await runLoad({
        endpoints: connection.endpoints, token: connection.token, clients: spec.clients, durationMs: spec.durationMs,
        keys: spec.keys, getRatio: spec.getRatio, keyPrefix: `${runId.slice(4, 10)}:`, timeoutMs: this.options.opTimeoutMs ?? 3000,
        history: run.meter, signal: run.abort.signal, random: this.options.random,
      })
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err)
    } finally {
      clearInterval(progress)
      await nemesis.stop()
      await file.close().catch((err: unknown) => { failure ??= `history file: ${String(err)}` })
    }
    const stopped = run.abort.signal.aborted
    const totals = run.meter.totals
    let reason: string | undefined
    if (failure !== undefined) {
      run.state = 'failed'
      reason = failure
    } else if (memory.events.length === 0) {
      run.state = 'stopped'
      reason = 'stopped before any operation'
    } else {
      run.state = 'checking'
      // On a thread of its own (check-off-thread.ts): status and IPC go on meanwhile.
      try {
        run.verdict = await checkOffThread({ kind: 'events', events: memory.events, timeBudgetMs: this.options.checkBudgetMs ?? DEFAULT_CHECK_BUDGET_MS })
        run.state = stopped ? 'stopped' : 'done'
      } catch (err) {
        // The history stays in history.ndjson: checkHistory can take it again.
        run.state = 'failed'
        reason = `the check failed: ${err instanceof Error ? err.message : String(err)}`
      }
    }
    const record: WorkloadRecord = {
      runId, spec, state: run.state, startedMs: run.startedMs, finishedMs: Date.now(),
      ops: totals.ops, errors: totals.errors, verdict: run.verdict, ...(reason === undefined ? {} : { reason }),
    }
    writeFileSync(join(runDir, 'verdict.json'), `${JSON.stringify(record, null, 2)}\n`)
    this.notify({ kind: 'finished', runId, state: run.state, ops: totals.ops, errors: totals.errors, verdict: run.verdict, ...(reason === undefined ? {} : { reason }) })
    this.event('workload-finished', { runId, state: run.state, outcome: run.verdict?.outcome ?? null, ops: totals.ops, ...(reason === undefined ? {} : { reason }) })
  }
}

function tee(...sinks: HistorySink[]): HistorySink {
  return { record: (event) => { for (const s of sinks) s.record(event) } }
}
