// A deterministic simulated network of Raft state machines (after etcd-raft's test network):
// send() steps a message into its target, collects the target's outbox, passes it through
// the link faults and keeps going until nothing is left to deliver.
import { ErrProposalDropped, MemoryStorage, type Entry, type Message, type MessageType, type Raft } from '../index.js'
import { Faults } from './faults.js'
import { newTestRaft, persistAndApply, readMessages, type ConfigExtras } from './helpers.js'
import { Prng } from './prng.js'

const MAX_DELIVERIES = 100_000

/** A peer that swallows everything and never answers. */
export class BlackHole {
  step(_m: Message): void {}
}

export type Peer = Raft | BlackHole

export interface NetworkOptions {
  /** Seed of the PRNG behind partial drops, delays, duplication and reordering. */
  seed?: number
  /** Config extras for the rafts the network creates itself (null peers). */
  extras?: ConfigExtras
  electionTick?: number
  heartbeatTick?: number
}

export class Network {
  readonly peers = new Map<number, Peer>()
  readonly storage = new Map<number, MemoryStorage>()
  readonly faults: Faults
  /** Messages held back by delay(), delivered by deliverDelayed(). */
  held: Message[] = []
  /** Every message the network delivered, in order (for tests that count traffic). */
  delivered: Message[] = []

  /**
   * Peers get ids 1..n in order. A null peer becomes a fresh raft on a MemoryStorage; a raft
   * given in must already know all n ids as its peers.
   */
  constructor(peers: (Peer | null)[], opts: NetworkOptions = {}) {
    this.faults = new Faults(new Prng(opts.seed ?? 1))
    const ids = peers.map((_, i) => i + 1)
    peers.forEach((p, i) => {
      const id = i + 1
      if (p === null) {
        const s = new MemoryStorage()
        this.storage.set(id, s)
        this.peers.set(id, newTestRaft(id, ids, opts.electionTick ?? 10, opts.heartbeatTick ?? 1, s, opts.extras ?? {}))
        return
      }
      if (!(p instanceof BlackHole) && p.raftLog.storage instanceof MemoryStorage) this.storage.set(id, p.raftLog.storage)
      this.peers.set(id, p)
    })
  }

  /** The raft at id (throws for a black hole, so a test notices a wrong id). */
  raft(id: number): Raft {
    const p = this.peers.get(id)
    if (p === undefined || p instanceof BlackHole) throw new Error(`peer ${id} is not a raft`)
    return p
  }

  /** Delivers msgs (unfiltered) and everything they cause, until the network is quiet. */
  send(...msgs: Message[]): void {
    const queue = msgs.slice()
    for (let n = 0; queue.length > 0; n++) {
      // A healthy exchange settles quickly; an endless one is a bug worth a clear failure.
      if (n > MAX_DELIVERIES) throw new Error(`the network did not quiesce after ${MAX_DELIVERIES} deliveries`)
      const m = queue.shift()!
      const p = this.peers.get(m.to ?? 0)
      if (p === undefined) continue
      this.delivered.push(m)
      try {
        p.step(m)
      } catch (e) {
        // A proposal the raft cannot take is refused by throwing; the network just moves on.
        if (e !== ErrProposalDropped) throw e
      }
      if (p instanceof BlackHole) continue
      for (const out of this.filter(readMessages(p))) {
        if (this.faults.reordered()) queue.splice(this.faults.position(queue.length), 0, out)
        else queue.push(out)
      }
    }
  }

  /**
   * Persists every raft's unstable entries into its storage and marks what is committed as
   * applied (as an application would between Readys); returns the newly applied entries by id.
   */
  persistAll(): Map<number, Entry[]> {
    const out = new Map<number, Entry[]>()
    for (const [id, p] of this.peers) {
      const s = this.storage.get(id)
      if (p instanceof BlackHole || s === undefined) continue
      out.set(id, persistAndApply(p, s))
    }
    return out
  }

  /** Delivers the messages delay() held back, in the order they were held. */
  deliverDelayed(): void {
    const held = this.held
    this.held = []
    this.send(...held)
  }

  /** Applies the link faults to outgoing messages. */
  filter(msgs: Message[]): Message[] {
    const out: Message[] = []
    for (const m of msgs) {
      if (this.faults.lost(m)) continue
      if (this.faults.delayed(m)) {
        this.held.push(m)
        continue
      }
      out.push(m)
      if (this.faults.duplicated()) out.push(m)
    }
    return out
  }

  drop(from: number, to: number, perc: number): void { this.faults.drop(from, to, perc) }
  cut(a: number, b: number): void { this.faults.cut(a, b) }
  isolate(id: number): void { this.faults.isolate(id) }
  ignore(t: MessageType): void { this.faults.ignore(t) }
  delay(from: number, to: number, perc: number): void { this.faults.delay(from, to, perc) }
  duplicate(perc: number): void { this.faults.duplicate(perc) }
  reorder(perc: number): void { this.faults.reorder(perc) }
  recover(): void { this.faults.recover() }
}
