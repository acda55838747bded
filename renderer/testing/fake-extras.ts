// What the fake cluster of issue 10 does not simulate, for the Timeline, Replay,
// Workload and Logs tests: the recorded timeline (every status it emits), log lines per
// node on every tick, a checked workload that reports progress per tick and a verdict at
// its end, checkHistory (a history naming the key "bad" is not linearizable), exportBundle.
import type { ClusterView, Counterexample, LogLine, NotificationMap, TimelineSample, Topic, Verdict, WorkloadSpec } from '../../main/control/types'
import type { FakeCluster } from './fake-cluster'

export const COUNTEREXAMPLE: Counterexample = {
  key: 'bad',
  ops: [
    { client: 1, f: 'put', key: 'bad', value: '1', invokeMs: 0, completeMs: 5, outcome: 'ok' },
    { client: 2, f: 'put', key: 'bad', value: '2', invokeMs: 6, completeMs: 9, outcome: 'ok' },
    { client: 3, f: 'get', key: 'bad', value: '1', invokeMs: 10, completeMs: 12, outcome: 'ok' },
    { client: 1, f: 'put', key: 'bad', value: '3', invokeMs: 11, completeMs: null, outcome: 'info' },
  ],
  stuck: 2,
  reason: 'get → 1 at client 3 read a value that put 2 had already overwritten',
}

export function verdictOf(linearizable: boolean, ops: number): Verdict {
  return linearizable
    ? { linearizable: true, outcome: 'linearizable', ops, keys: 3, checkMs: 4, explanation: 'Every key\'s history has a linearization.' }
    : { linearizable: false, outcome: 'not-linearizable', ops, keys: 1, checkMs: 2, explanation: 'Key "bad" has no linearization.', counterexample: COUNTEREXAMPLE }
}

export interface FakeExtras {
  samples: TimelineSample[]
  logLines: LogLine[]
  workloadSpecs: WorkloadSpec[]
  exports: number
}

export function addExtras(fake: FakeCluster): FakeExtras {
  const api = fake.api
  const extras: FakeExtras = { samples: [], logLines: [], workloadSpecs: [], exports: 0 }
  const listeners = { workload: new Set<(n: NotificationMap['workload']) => void>(), log: new Set<(n: NotificationMap['log']) => void>() }
  let run: { id: string; ticksLeft: number; ops: number; elapsedMs: number } | null = null
  let runs = 0

  const subscribe = api.subscribe.bind(api)
  api.subscribe = (<T extends Topic>(topic: T, listener: (p: NotificationMap[T]) => void) => {
    if (topic === 'workload' || topic === 'log') {
      const set = (topic === 'workload' ? listeners.workload : listeners.log) as unknown as Set<typeof listener>
      set.add(listener)
      return () => set.delete(listener)
    }
    return subscribe(topic, listener)
  }) as typeof api.subscribe

  subscribe('status', (view: ClusterView) => {
    extras.samples.push({ timeMs: view.timeMs, view })
    const batch: LogLine[] = view.nodes.filter((n) => n.status !== null).map((n) => ({
      node: n.id, timeMs: view.timeMs, level: n.status!.role === 'leader' ? 'info' : 'debug', msg: `tick at term ${n.status!.term}`, fields: { role: n.status!.role },
    }))
    extras.logLines.push(...batch)
    for (const l of listeners.log) l(batch)
    if (run !== null) {
      run.ticksLeft -= 1
      run.ops += 40
      run.elapsedMs += 250
      const r = run
      if (r.ticksLeft > 0) {
        for (const l of listeners.workload) l({ kind: 'progress', runId: r.id, elapsedMs: r.elapsedMs, ops: r.ops, errors: 1, opsPerSec: 160, errorsPerSec: 0.5, latency: { p50Ms: 3, p90Ms: 8, p99Ms: 21, maxMs: 40 } })
      } else {
        run = null
        for (const l of listeners.workload) l({ kind: 'finished', runId: r.id, state: 'done', ops: r.ops, errors: 1, verdict: verdictOf(true, r.ops) })
      }
    }
  })

  api.timeline = async (q = {}) => extras.samples.filter((s) => s.timeMs >= (q.fromMs ?? 0) && s.timeMs <= (q.toMs ?? Infinity))
  api.logs = async (q = {}) => {
    const found = extras.logLines.filter((l) => (q.node === undefined || l.node === q.node) && l.timeMs >= (q.sinceMs ?? 0) && l.timeMs <= (q.untilMs ?? Infinity))
    return found.slice(-(q.limit ?? 1000))
  }
  api.startWorkload = async (spec) => {
    extras.workloadSpecs.push(spec)
    run = { id: `run-${++runs}`, ticksLeft: Math.ceil(spec.durationMs / 250), ops: 0, elapsedMs: 0 }
    return { runId: run.id }
  }
  api.stopWorkload = async () => {
    if (run !== null) run.ticksLeft = 1
  }
  api.checkHistory = async ({ ndjson }) => verdictOf(!ndjson.includes('"key":"bad"'), ndjson.split('\n').filter(Boolean).length / 2)
  api.exportBundle = async () => {
    extras.exports += 1
    return { path: '/tmp/raftkv-bundle.tar.gz', bytes: 123_456 }
  }
  return extras
}
