// A process's resident memory as the kernel counts it, for the benches.
import { readFileSync } from 'node:fs'

/** VmRSS (now) or VmHWM (peak) of a process, in MiB; 0 when there is none or it is gone. */
export function rssMb(pid: number | null | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  if (!pid) return 0
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : 0
  } catch {
    return 0
  }
}
