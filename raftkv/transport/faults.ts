// Fault filters driven by the manager's partition buttons (adminpb.Faults):
// blocked peers lose messages in both directions, a fraction of outgoing messages is
// dropped, outgoing frames are held for a delay plus jitter.
import { InvalidFaultsError } from './errors.js'

export interface Faults {
  /** Peers whose messages are dropped in both directions. */
  blockedPeers: number[]
  /** Fraction in [0, 1] of outgoing raft messages dropped. */
  dropRate: number
  /** Delay added to outgoing raft frames, in ms. */
  delayMs: number
  /** Up to this many more ms of delay, drawn per frame. */
  jitterMs: number
}

/** Upper bound of delayMs and jitterMs: a minute is already a partition. */
export const MAX_FAULT_DELAY_MS = 60_000

export function noFaults(): Faults {
  return { blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 }
}

function isDelay(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_FAULT_DELAY_MS
}

/** Checks every field and returns a normalized copy (sorted, deduplicated peers). */
export function validateFaults(input: Faults): Faults {
  if (typeof input !== 'object' || input === null) throw new InvalidFaultsError('faults must be an object')
  const { blockedPeers, dropRate, delayMs, jitterMs } = input
  if (!Array.isArray(blockedPeers)) throw new InvalidFaultsError('blockedPeers must be an array of node ids')
  for (const id of blockedPeers) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      throw new InvalidFaultsError(`blockedPeers: ${String(id)} is not a node id (a positive integer)`)
    }
  }
  if (typeof dropRate !== 'number' || !Number.isFinite(dropRate) || dropRate < 0 || dropRate > 1) {
    throw new InvalidFaultsError(`dropRate must be a number in [0, 1], got ${String(dropRate)}`)
  }
  if (!isDelay(delayMs)) throw new InvalidFaultsError(`delayMs must be an integer in [0, ${MAX_FAULT_DELAY_MS}], got ${String(delayMs)}`)
  if (!isDelay(jitterMs)) throw new InvalidFaultsError(`jitterMs must be an integer in [0, ${MAX_FAULT_DELAY_MS}], got ${String(jitterMs)}`)
  return { blockedPeers: [...new Set(blockedPeers)].sort((a, b) => a - b), dropRate, delayMs, jitterMs }
}

/** The faults in force, with the questions the send and receive paths ask. */
export class FaultFilter {
  private faults: Faults = noFaults()
  private blocked = new Set<number>()

  constructor(private readonly rng: () => number) {}

  set(input: Faults): void {
    const f = validateFaults(input)
    this.faults = f
    this.blocked = new Set(f.blockedPeers)
  }

  get(): Faults {
    return { ...this.faults, blockedPeers: [...this.faults.blockedPeers] }
  }

  isBlocked(peer: number): boolean {
    return this.blocked.has(peer)
  }

  /** Whether to drop one outgoing message (draws from the rng only when a rate is set). */
  shouldDrop(): boolean {
    const rate = this.faults.dropRate
    if (rate <= 0) return false
    if (rate >= 1) return true
    return this.rng() < rate
  }

  /** The hold time of one outgoing frame, 0 when no delay is set. */
  delay(): number {
    const { delayMs, jitterMs } = this.faults
    if (delayMs === 0 && jitterMs === 0) return 0
    return delayMs + (jitterMs > 0 ? Math.floor(this.rng() * (jitterMs + 1)) : 0)
  }
}
