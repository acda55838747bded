// Failover probes: stop the leader (SIGKILL: its sockets close; SIGSTOP: it hangs with its
// sockets open) and time until a put succeeds again, trial after trial, the old leader
// brought back (restarted / resumed) and a leader agreed on between trials.
import { median, sleep, type BenchTarget, type Putter } from './target.js'

export type FailoverKind = 'SIGKILL' | 'SIGSTOP'

export interface FailoverResult { kind: FailoverKind; trialsMs: number[]; medianMs: number }

/** Each attempt of a probe put is bounded by this (a put to a hung leader gives up and goes on). */
const ATTEMPT_MS = 200
const PROBE_DEADLINE_MS = 30_000

export async function measureFailover(t: BenchTarget, kind: FailoverKind, trials: number, log: (s: string) => void): Promise<FailoverResult> {
  const trialsMs: number[] = []
  for (let trial = 0; trial < trials; trial++) {
    const lead = await t.waitForLeader()
    const putter = t.putter(ATTEMPT_MS)
    await retryPut(putter, `failover-${trial}`, 'warm')
    try {
      const t0 = performance.now()
      if (kind === 'SIGKILL') await t.kill(lead)
      else t.pause(lead)
      for (;;) {
        try {
          await putter.put(`failover-${trial}`, `after-${kind}-${trial}`)
          break
        } catch {
          if (performance.now() - t0 > PROBE_DEADLINE_MS) throw new Error(`${t.name}: no put succeeded ${PROBE_DEADLINE_MS} ms after ${kind}`)
        }
      }
      const ms = Math.round(performance.now() - t0)
      trialsMs.push(ms)
      log(`${t.name} ${kind} trial ${trial + 1}: leader ${lead}, first put after ${ms} ms`)
    } finally {
      await putter.close()
      if (kind === 'SIGKILL') await t.start(lead)
      else t.resume(lead)
    }
    await t.waitForLeader()
    await sleep(300)
  }
  return { kind, trialsMs, medianMs: median(trialsMs) }
}

/** A put that may need a few tries (a leader just elected, a node just back). */
async function retryPut(p: Putter, key: string, value: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await p.put(key, value)
    } catch (e) {
      if (i >= 20) throw e
      await sleep(100)
    }
  }
}
