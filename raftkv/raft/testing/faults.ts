// Link faults of a simulated network: which messages are lost, held back, duplicated or
// reordered. Every random decision draws from one seeded Prng, so a run replays exactly.
import type { Message, MessageType } from '../index.js'
import type { Prng } from './prng.js'

const link = (from: number, to: number): string => `${from}->${to}`

export class Faults {
  private readonly dropm = new Map<string, number>()
  private readonly delaym = new Map<string, number>()
  private readonly ignored = new Set<MessageType>()
  private readonly isolated = new Set<number>()
  private dupPerc = 0
  private reorderPerc = 0

  constructor(private readonly rng: Prng) {}

  /** Loses a fraction perc (0..1) of the messages from -> to. */
  drop(from: number, to: number, perc: number): void {
    this.dropm.set(link(from, to), perc)
  }

  /** Loses every message between a and b, both ways. */
  cut(a: number, b: number): void {
    this.drop(a, b, 1)
    this.drop(b, a, 1)
  }

  /** Loses every message to or from id. */
  isolate(id: number): void {
    this.isolated.add(id)
  }

  /** Loses every message of type t. */
  ignore(t: MessageType): void {
    this.ignored.add(t)
  }

  /** Holds back a fraction perc of the messages from -> to until the owner releases them. */
  delay(from: number, to: number, perc: number): void {
    this.delaym.set(link(from, to), perc)
  }

  /** Delivers a fraction perc of all messages twice. */
  duplicate(perc: number): void {
    this.dupPerc = perc
  }

  /** Moves a fraction perc of all messages to a random place in the delivery queue. */
  reorder(perc: number): void {
    this.reorderPerc = perc
  }

  /** Clears every fault (held messages stay held: their owner decides when they arrive). */
  recover(): void {
    this.dropm.clear()
    this.delaym.clear()
    this.ignored.clear()
    this.isolated.clear()
    this.dupPerc = 0
    this.reorderPerc = 0
  }

  /** True when the links are healthy, i.e. no fault is set. */
  healthy(): boolean {
    return this.dropm.size === 0 && this.delaym.size === 0 && this.ignored.size === 0 &&
      this.isolated.size === 0 && this.dupPerc === 0 && this.reorderPerc === 0
  }

  /** Whether this message is lost on its way. Draws from the PRNG only for partial loss. */
  lost(m: Message): boolean {
    const from = m.from ?? 0
    const to = m.to ?? 0
    if (this.ignored.has(m.msgType ?? 0)) return true
    if (from !== to && (this.isolated.has(from) || this.isolated.has(to))) return true
    return this.draw(this.dropm.get(link(from, to)) ?? 0)
  }

  delayed(m: Message): boolean {
    return this.draw(this.delaym.get(link(m.from ?? 0, m.to ?? 0)) ?? 0)
  }

  duplicated(): boolean {
    return this.draw(this.dupPerc)
  }

  reordered(): boolean {
    return this.draw(this.reorderPerc)
  }

  /** A position in [0, n] to insert a reordered message at. */
  position(n: number): number {
    return this.rng.int(0, n + 1)
  }

  private draw(perc: number): boolean {
    if (perc <= 0) return false
    if (perc >= 1) return true
    return this.rng.chance(perc)
  }
}
