// Builders shared by the raft unit tests: rafts with a seeded election timer, logs made of
// given terms, outbox access, and a normalised view of messages for comparisons.
import {
  EntryType, MemoryStorage, MessageType, newRaft,
  type Config, type Entry, type Message, type Raft,
} from '../index.js'
import { Prng } from './prng.js'

/** Extra config fields a test may set on top of the minimal one. */
export type ConfigExtras = Partial<Omit<Config, 'id' | 'peers' | 'electionTick' | 'heartbeatTick' | 'storage'>>

/** A config whose randomized election timeout comes from a PRNG seeded by the node id. */
export function newTestConfig(
  id: number, peers: number[] | undefined, election: number, heartbeat: number,
  storage: MemoryStorage, extras: ConfigExtras = {},
): Config {
  const rand = new Prng(id * 7919 + 17).asRand()
  const c: Config = { id, electionTick: election, heartbeatTick: heartbeat, storage, rand, ...extras }
  if (peers !== undefined) c.peers = peers
  return c
}

export function newTestRaft(
  id: number, peers: number[] | undefined, election: number, heartbeat: number,
  storage: MemoryStorage = new MemoryStorage(), extras: ConfigExtras = {},
): Raft {
  return newRaft(newTestConfig(id, peers, election, heartbeat, storage, extras))
}

/** Takes and clears the raft's outbox. */
export function readMessages(r: Raft): Message[] {
  const msgs = r.msgs
  r.msgs = []
  return msgs
}

/** Entries at indexes 1..n with the given terms. */
export function entsOfTerms(terms: number[]): Entry[] {
  return terms.map((term, i) => ({ index: i + 1, term }))
}

/** A storage holding entries of the given terms, with the last term as its hard state term. */
export function storageWithTerms(terms: number[]): MemoryStorage {
  const s = new MemoryStorage()
  s.append(entsOfTerms(terms))
  s.setHardState({ term: terms.length > 0 ? terms[terms.length - 1]! : 0 })
  return s
}

/** A follower in a cluster of `peers` whose persisted log has the given terms (etcd's entsWithConfig). */
export function raftWithTerms(id: number, peers: number[], terms: number[], extras: ConfigExtras = {}): Raft {
  return newTestRaft(id, peers, 10, 1, storageWithTerms(terms), extras)
}

/** A follower in a cluster of `peers` that voted for `vote` in `term` and has an empty log. */
export function raftVoted(id: number, peers: number[], vote: number, term: number, extras: ConfigExtras = {}): Raft {
  const s = new MemoryStorage()
  s.setHardState({ vote, term })
  return newTestRaft(id, peers, 10, 1, s, extras)
}

/**
 * Persists the raft's unstable entries into its storage and applies what is committed,
 * the way an application would between Readys; returns the newly applied entries.
 */
export function persistAndApply(r: Raft, s: MemoryStorage): Entry[] {
  const unstable = r.raftLog.unstableEntries()
  if (unstable.length > 0) s.append(unstable)
  r.raftLog.stabled = r.raftLog.lastIndex()
  const ents = r.raftLog.nextEnts()
  r.raftLog.applied = r.raftLog.committed
  return ents
}

/** Ticks r n times. */
export function tickN(r: { tick(): void }, n: number): void {
  for (let i = 0; i < n; i++) r.tick()
}

/** A message's fields with protobuf defaults filled in, entries reduced to index/term/type/data. */
export interface MessageView {
  msgType: MessageType; from: number; to: number; term: number; logTerm: number; index: number
  commit: number; reject: boolean; entries: { index: number; term: number; entryType: EntryType; data: string }[]
}

const decoder = new TextDecoder()
const text = (d: Uint8Array | null | undefined): string => (d ? decoder.decode(d) : '')

/** Normalises a message (or a partial expected one) so that absent and zero fields compare equal. */
export function view(m: Message): MessageView {
  return {
    msgType: m.msgType ?? MessageType.MsgHup,
    from: m.from ?? 0,
    to: m.to ?? 0,
    term: m.term ?? 0,
    logTerm: m.logTerm ?? 0,
    index: m.index ?? 0,
    commit: m.commit ?? 0,
    reject: m.reject ?? false,
    entries: (m.entries ?? []).map((e) => ({
      index: e.index ?? 0, term: e.term ?? 0, entryType: e.entryType ?? EntryType.EntryNormal, data: text(e.data),
    })),
  }
}

/** Bytes of a string, for proposals. */
export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

/** The (index, term) pairs of entries, for compact comparisons. */
export function indexTerms(ents: Entry[]): [number, number][] {
  return ents.map((e) => [e.index ?? 0, e.term ?? 0])
}

/** Messages of one type out of a list. */
export function ofType(msgs: Message[], t: MessageType): Message[] {
  return msgs.filter((m) => (m.msgType ?? MessageType.MsgHup) === t)
}
