// Config: what a Raft peer is told when it starts.
import type { Storage } from './storage.js'
import { InvalidConfigError } from './errors.js'
import { None } from './types.js'
import { mulberry32 } from './prng.js'

/** Where raft's log lines go (one line per state change). Defaults to nowhere. */
export interface RaftLogger {
  debug(msg: string): void
  info(msg: string): void
  warn(msg: string): void
}

export interface Config {
  /** This peer's id (not 0). */
  id: number
  /** The initial voters; when empty, the membership comes from Storage's ConfState. */
  peers?: number[]
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [electionTick, 2*electionTick)). */
  electionTick: number
  /** Ticks between a leader's heartbeats. Must be < electionTick. */
  heartbeatTick: number
  storage: Storage
  /** The last index already applied by the application (on restart). */
  applied?: number
  // Extensions, off / unlimited by default so the classic (TinyKV) behaviour holds:
  /** §9.6: campaign only after a pre-vote round shows a majority would vote. */
  preVote?: boolean
  /** A leader steps down when it has not heard from a majority within an election timeout. */
  checkQuorum?: boolean
  /** Flow control: at most this many in-flight appends per follower (0: off, classic behaviour). */
  maxInflightMsgs?: number
  /** At most this many bytes of entry data per MsgAppend (at least one entry is always sent). */
  maxSizePerMsg?: number
  /**
   * §10.2.1 of the Raft thesis: a leader's MsgAppend (and heartbeats, snapshots) may leave
   * before its own write of the entries is durable (Ready.earlyMessages); the leader counts
   * itself towards the commit quorum only for entries whose persist advance() reported.
   * Everything a follower or candidate sends still waits for the persist.
   */
  asyncLeaderWrites?: boolean
  /** A [0, 1) source for randomized election timeouts. Defaults to a PRNG seeded by id. */
  rand?: () => number
  logger?: RaftLogger
}

function isTick(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0
}

/** Throws InvalidConfigError for a config raft cannot run with. */
export function validateConfig(c: Config): void {
  if (c === null || typeof c !== 'object') throw new InvalidConfigError('config must be an object')
  if (!Number.isSafeInteger(c.id) || c.id === None || c.id < 0) throw new InvalidConfigError('cannot use none as id')
  if (!isTick(c.heartbeatTick)) throw new InvalidConfigError('heartbeat tick must be greater than 0')
  if (!isTick(c.electionTick) || c.electionTick <= c.heartbeatTick) throw new InvalidConfigError('election tick must be greater than heartbeat tick')
  if (!c.storage || typeof c.storage.initialState !== 'function') throw new InvalidConfigError('storage cannot be nil')
  if (c.peers !== undefined && c.peers !== null) {
    if (!Array.isArray(c.peers)) throw new InvalidConfigError('peers must be an array of ids')
    for (const p of c.peers) {
      if (!Number.isSafeInteger(p) || p <= 0) throw new InvalidConfigError(`invalid peer id ${String(p)}`)
    }
  }
  if (c.applied !== undefined && (!Number.isSafeInteger(c.applied) || c.applied < 0)) throw new InvalidConfigError('applied must be a non-negative integer')
  if (c.maxInflightMsgs !== undefined && (!Number.isSafeInteger(c.maxInflightMsgs) || c.maxInflightMsgs < 0)) throw new InvalidConfigError('max inflight messages must be a non-negative integer')
  if (c.maxSizePerMsg !== undefined && !(c.maxSizePerMsg > 0)) throw new InvalidConfigError('max size per message must be positive')
}

/** The default randomness of a raft: deterministic and pure, different for each id. */
export function seededRand(seed: number): () => number {
  return mulberry32((seed * 0x9e3779b9) >>> 0)
}
