// Raft message types (LinkView.byType keys such as "MsgAppend", "MsgHeartbeatResponse")
// in the families drawn on the Network view: requests and their responses together.

export const FAMILIES = ['append', 'heartbeat', 'vote', 'snapshot', 'other'] as const
export type MessageFamily = (typeof FAMILIES)[number]

/** Short names for the crowded link labels. */
const SHORT: Record<MessageFamily, string> = { append: 'app', heartbeat: 'hb', vote: 'vote', snapshot: 'snap', other: 'other' }

export function familyOf(type: string): MessageFamily {
  const t = type.replace(/^Msg/, '').toLowerCase()
  if (t.startsWith('append')) return 'append'
  if (t.startsWith('heartbeat')) return 'heartbeat'
  if (t.includes('vote')) return 'vote'
  if (t.startsWith('snap')) return 'snapshot'
  return 'other'
}

/** Per family, messages per second (families with no traffic left out). */
export function byFamily(byType: Readonly<Record<string, number>> | undefined): Partial<Record<MessageFamily, number>> {
  const out: Partial<Record<MessageFamily, number>> = {}
  for (const [type, rate] of Object.entries(byType ?? {})) {
    if (rate <= 0) continue
    const f = familyOf(type)
    out[f] = (out[f] ?? 0) + rate
  }
  return out
}

/** "app 12 · hb 5" (short: true) or "append 12 · heartbeat 5": the families of a link, busiest first. */
export function familiesText(byType: Readonly<Record<string, number>> | undefined, limit = 2, short = false): string {
  return Object.entries(byFamily(byType))
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([f, r]) => `${short ? SHORT[f as MessageFamily] : f} ${r >= 10 ? Math.round(r) : r.toFixed(1)}`)
    .join(' · ')
}
