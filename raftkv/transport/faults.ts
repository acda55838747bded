// Fault filters driven by the manager's partition buttons (adminpb.Faults):
// blocked peers lose messages in both directions, a fraction of outgoing messages is
// dropped, outgoing frames are held for a delay plus jitter — node-wide, or per peer
// (a `links` entry replaces the node-wide rate and delay for the messages to that peer).
import { InvalidFaultsError } from './errors.js'

export interface LinkFaults {
  peer: number
  dropRate: number
  delayMs: number
  jitterMs: number
}

export interface Faults {
  /** Peers whose messages are dropped in both directions. */
  blockedPeers: number[]
  /** Fraction in [0, 1] of outgoing raft messages dropped. */
  dropRate: number
  /** Delay added to outgoing raft frames, in ms. */
  delayMs: number
  /** Up to this many more ms of delay, drawn per frame. */
  jitterMs: number
  /** Per-peer rate and delay of outgoing messages, in place of the ones above (absent: none). */
  links?: LinkFaults[]
}

/** Upper bound of delayMs and jitterMs: a minute is already a partition. */
export const MAX_FAULT_DELAY_MS = 60_000

export function noFaults(): Faults {
  return { blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 }
}

function isDelay(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_FAULT_DELAY_MS
}

function checkRateAndDelay(what: string, dropRate: unknown, delayMs: unknown, jitterMs: unknown): void {
  if (typeof dropRate !== 'number' || !Number.isFinite(dropRate) || dropRate < 0 || dropRate > 1) {
    throw new InvalidFaultsError(`${what}dropRate must be a number in [0, 1], got ${String(dropRate)}`)
  }
  if (!isDelay(delayMs)) throw new InvalidFaultsError(`${what}delayMs must be an integer in [0, ${MAX_FAULT_DELAY_MS}], got ${String(delayMs)}`)
  if (!isDelay(jitterMs)) throw new InvalidFaultsError(`${what}jitterMs must be an integer in [0, ${MAX_FAULT_DELAY_MS}], got ${String(jitterMs)}`)
}

function isPeerId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0
}

function validateLinks(links: unknown): LinkFaults[] {
  if (!Array.isArray(links)) throw new InvalidFaultsError('links must be an array')
  const byPeer = new Map<number, LinkFaults>()
  for (const l of links as unknown[]) {
    if (typeof l !== 'object' || l === null) throw new InvalidFaultsError('links: each entry must be an object')
    const { peer, dropRate, delayMs, jitterMs } = l as Record<string, unknown>
    if (!isPeerId(peer)) throw new InvalidFaultsError(`links: ${String(peer)} is not a node id (a positive integer)`)
    if (byPeer.has(peer)) throw new InvalidFaultsError(`links: peer ${peer} is listed twice`)
    checkRateAndDelay(`links ${peer}: `, dropRate, delayMs, jitterMs)
    byPeer.set(peer, { peer, dropRate: dropRate as number, delayMs: delayMs as number, jitterMs: jitterMs as number })
  }
  return [...byPeer.values()].sort((a, b) => a.peer - b.peer)
}

/** Checks every field and returns a normalized copy (sorted, deduplicated peers; no `links` when empty). */
export function validateFaults(input: Faults): Faults {
  if (typeof input !== 'object' || input === null) throw new InvalidFaultsError('faults must be an object')
  const { blockedPeers, dropRate, delayMs, jitterMs } = input
  if (!Array.isArray(blockedPeers)) throw new InvalidFaultsError('blockedPeers must be an array of node ids')
  for (const id of blockedPeers) {
    if (!isPeerId(id)) throw new InvalidFaultsError(`blockedPeers: ${String(id)} is not a node id (a positive integer)`)
  }
  checkRateAndDelay('', dropRate, delayMs, jitterMs)
  const out: Faults = { blockedPeers: [...new Set(blockedPeers)].sort((a, b) => a - b), dropRate, delayMs, jitterMs }
  const links = input.links === undefined ? [] : validateLinks(input.links)
  if (links.length > 0) out.links = links
  return out
}

/** The faults in force, with the questions the send and receive paths ask. */
export class FaultFilter {
  private faults: Faults = noFaults()
  private blocked = new Set<number>()
  private links = new Map<number, LinkFaults>()

  constructor(private readonly rng: () => number) {}

  set(input: Faults): void {
    const f = validateFaults(input)
    this.faults = f
    this.blocked = new Set(f.blockedPeers)
    this.links = new Map((f.links ?? []).map((l) => [l.peer, l]))
  }

  get(): Faults {
    const out: Faults = { ...this.faults, blockedPeers: [...this.faults.blockedPeers] }
    if (this.faults.links) out.links = this.faults.links.map((l) => ({ ...l }))
    return out
  }

  isBlocked(peer: number): boolean {
    return this.blocked.has(peer)
  }

  /** Whether to drop one outgoing message (to `peer`: its link entry, if any, decides); draws from the rng only when a rate is set. */
  shouldDrop(peer?: number): boolean {
    const rate = (peer === undefined ? undefined : this.links.get(peer))?.dropRate ?? this.faults.dropRate
    if (rate <= 0) return false
    if (rate >= 1) return true
    return this.rng() < rate
  }

  /** The hold time of one outgoing frame (to `peer`: its link entry, if any, decides), 0 when no delay is set. */
  delay(peer?: number): number {
    const { delayMs, jitterMs } = (peer === undefined ? undefined : this.links.get(peer)) ?? this.faults
    if (delayMs === 0 && jitterMs === 0) return 0
    return delayMs + (jitterMs > 0 ? Math.floor(this.rng() * (jitterMs + 1)) : 0)
  }
}
