// Partition presets (the nemeses Jepsen names). A plan is either groups (every node in
// exactly one; the control API's `partition`) or a set of cut links (a bridge cannot be
// groups: its middle node talks to both sides), applied as 100 % drop on each link.

export type Plan =
  | { kind: 'groups'; groups: number[][] }
  | { kind: 'cuts'; cuts: [number, number][]; bridge: number }

/** The leader alone, everyone else together. */
export function isolateLeader(ids: readonly number[], leader: number): Plan {
  const rest = ids.filter((id) => id !== leader)
  return { kind: 'groups', groups: [[leader], rest] }
}

/** A minority holding the leader (so the majority must elect another) and a majority. */
export function majorityMinority(ids: readonly number[], leader: number): Plan {
  const sorted = [...ids].sort((a, b) => a - b)
  const minoritySize = Math.floor((sorted.length - 1) / 2) || 1
  const others = sorted.filter((id) => id !== leader)
  const minority = (leader > 0 ? [leader] : []).concat(others).slice(0, minoritySize).sort((a, b) => a - b)
  return { kind: 'groups', groups: [minority, sorted.filter((id) => !minority.includes(id))] }
}

/** Two halves that cannot reach each other, and one node (not the leader, when it can
 * be helped) in the middle that reaches both. */
export function bridge(ids: readonly number[], leader: number): Plan {
  const sorted = [...ids].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  let middle = sorted[mid]!
  if (middle === leader && sorted.length > 2) middle = sorted[mid - 1]!
  const rest = sorted.filter((id) => id !== middle)
  const left = rest.slice(0, rest.length >> 1)
  const right = rest.slice(rest.length >> 1)
  const cuts: [number, number][] = []
  for (const a of left) for (const b of right) cuts.push([a, b])
  return { kind: 'cuts', cuts, bridge: middle }
}

/** Groups from a node → group-number assignment (empty groups dropped). */
export function groupsOf(assignment: ReadonlyMap<number, number>): number[][] {
  const byGroup = new Map<number, number[]>()
  for (const [id, g] of [...assignment].sort((a, b) => a[0] - b[0])) byGroup.set(g, [...(byGroup.get(g) ?? []), id])
  return [...byGroup].sort((a, b) => a[0] - b[0]).map(([, members]) => members)
}
