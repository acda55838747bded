// Waiting for a cluster's processes to go quiet, for the benches: a measurement taken
// while the members still flush and compact what the previous phase wrote measures that.
import { readFileSync } from 'node:fs'
import { sleep } from './target.js'

/** CPU time (user + system) of a process in clock ticks (1/100 s on Linux); undefined when it is gone. */
export function cpuTicks(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return undefined
  }
}

export interface IdleWait { idle: boolean; waitedMs: number }

/**
 * Waits until the processes together use less than `share` of one CPU over a `windowMs`
 * window, for at most `maxMs`; says whether they got there.
 */
export async function waitCpuIdle(pids: number[], o: { windowMs?: number; share?: number; maxMs?: number } = {}): Promise<IdleWait> {
  const windowMs = o.windowMs ?? 500
  const share = o.share ?? 0.05
  const maxMs = o.maxMs ?? 15_000
  const started = performance.now()
  const total = (): number => pids.reduce((s, p) => s + (cpuTicks(p) ?? 0), 0)
  for (;;) {
    const t0 = total()
    const at = performance.now()
    await sleep(windowMs)
    const usedMs = (total() - t0) * 10
    if (usedMs <= share * (performance.now() - at)) return { idle: true, waitedMs: Math.round(performance.now() - started) }
    if (performance.now() - started >= maxMs) return { idle: false, waitedMs: Math.round(performance.now() - started) }
  }
}
