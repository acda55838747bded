// Small formatters for figures shown in the dashboard.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i += 1
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}

export function formatRate(perSec: number): string {
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k/s`
  if (perSec === 0) return '0/s'
  return `${perSec >= 10 ? Math.round(perSec) : perSec.toFixed(1)}/s`
}

export function formatAge(ms: number): string {
  if (ms < 1000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`
  return `${Math.round(ms / 60_000)} min`
}

/** The CSS class for a node's role colour: its raft role, or down/crashed when it has no status. */
export function roleClass(role: string | undefined, processState: string): string {
  if (processState === 'crashed') return 'role-crashed'
  if (role === undefined || processState === 'stopped' || processState === 'paused') return 'role-down'
  return ['leader', 'follower', 'candidate', 'precandidate'].includes(role) ? `role-${role}` : 'role-down'
}

/** Wall-clock time of day with milliseconds, 24 h (events, log lines). */
export function formatClock(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}
