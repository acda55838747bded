// What each node's fault filters must hold for the partition and link faults the user
// set: a node blocks every node outside its group (so a cut is cut in both directions),
// and its per-link entries slow or thin the messages it sends on one link.
import type { FaultsInfo, LinkFaultInfo } from '../control/types.js'

export interface LinkFault {
  dropRate: number
  delayMs: number
  jitterMs: number
}

export interface FaultState {
  /** Every member in exactly one group; null: no partition. */
  partition: number[][] | null
  /** "from>to" → faults on the messages from → to. */
  links: Map<string, LinkFault>
}

export function noFaultState(): FaultState {
  return { partition: null, links: new Map() }
}

export const linkKey = (from: number, to: number): string => `${from}>${to}`

/** The faults node `id` must have, given every member's id. */
export function faultsFor(id: number, members: readonly number[], state: FaultState): FaultsInfo {
  const group = state.partition?.find((g) => g.includes(id))
  const blockedPeers = state.partition === null ? [] : members.filter((m) => m !== id && !(group ?? [id]).includes(m))
  const links: LinkFaultInfo[] = []
  for (const [key, f] of state.links) {
    const [from, to] = key.split('>').map(Number)
    if (from === id && to !== undefined) links.push({ peer: to, ...f })
  }
  links.sort((a, b) => a.peer - b.peer)
  const out: FaultsInfo = { blockedPeers: blockedPeers.sort((a, b) => a - b), dropRate: 0, delayMs: 0, jitterMs: 0 }
  if (links.length > 0) out.links = links
  return out
}

export function isClean(f: FaultsInfo): boolean {
  return f.blockedPeers.length === 0 && f.dropRate === 0 && f.delayMs === 0 && f.jitterMs === 0 && (f.links?.length ?? 0) === 0
}
