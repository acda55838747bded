// What the kv bench needs of a 3-member cluster under test (raftkv through the Supervisor,
// or etcd): its members, the leader, signals to its processes, and a put for probes.
import type { StartupMarks } from '../../raftkv/server/startup-marks.js'

export interface Putter {
  /** One put (each attempt bounded by the putter's attemptMs); throws when it did not succeed. */
  put(key: string, value: string): Promise<void>
  close(): Promise<void>
}

export interface BenchTarget {
  readonly name: string
  readonly endpoints: string[]
  members(): number[]
  pidOf(id: number): number | undefined
  /** Waits until some member leads (bounded), and returns it. */
  waitForLeader(timeoutMs?: number): Promise<number>
  kill(id: number): Promise<void>
  pause(id: number): void
  resume(id: number): void
  /** Starts a stopped member again; resolves once it is ready (process up, serving). */
  start(id: number): Promise<void>
  putter(attemptMs: number): Putter
  /** raftkv only: the start-up marks of node id's latest node-ready line. */
  lastStartupMarks?(id: number): StartupMarks | undefined
  stop(): Promise<void>
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2)
}
