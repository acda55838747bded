// Opt-in timestamps of the steps a write takes through a node, for `npm run bench:trace`
// (where a one-client put's time goes). Off unless RAFTKV_TRACE_DIR is set when the node
// starts; then each node keeps its latest events (a bounded ring) and writes them to
// <dir>/trace-<pid>.json when it exits. Times are wall-clock milliseconds with sub-ms
// precision (performance.timeOrigin + now), comparable between the nodes of one machine.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The events a node keeps (the oldest go first). */
const MAX_EVENTS = 200_000

/**
 * put-received / put-answered: a put at the KV service and its answer sent;
 * messages: raft messages stepped in; ready: a Ready taken (`leader` says which role);
 * a ReadyStep's kind (send-early, persist, send, apply, advance): that step begins;
 * ready-done: the Ready's last step ended.
 */
export type TraceStep = 'put-received' | 'put-answered' | 'messages' | 'ready' | 'ready-done'
  | 'send-early' | 'persist' | 'send' | 'apply' | 'advance'

export interface TraceFile {
  pid: number
  /** [step, wall-clock ms, leader (ready only)] in order. */
  events: Array<[TraceStep, number, boolean?]>
}

const dir = process.env.RAFTKV_TRACE_DIR
export const tracing = dir !== undefined && dir !== ''

const events: TraceFile['events'] = []
let dropped = 0

/** Records a step (a no-op unless tracing). */
export function traceStep(step: TraceStep, leader?: boolean): void {
  if (!tracing) return
  if (events.length >= MAX_EVENTS) {
    events.splice(0, MAX_EVENTS / 4)
    dropped += MAX_EVENTS / 4
  }
  const t = performance.timeOrigin + performance.now()
  events.push(leader === undefined ? [step, t] : [step, t, leader])
}

/** Writes the events kept so far to <dir>/trace-<pid>.json; returns its path (undefined: not tracing, or the write failed). */
export function writeTrace(): string | undefined {
  if (!tracing) return undefined
  const path = join(dir!, `trace-${process.pid}.json`)
  const file: TraceFile & { dropped: number } = { pid: process.pid, events, dropped }
  try {
    writeFileSync(path, JSON.stringify(file))
    return path
  } catch {
    // Tracing must never stop a node from exiting.
    return undefined
  }
}

if (tracing) process.on('exit', () => writeTrace())
