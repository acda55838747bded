// A leader gone silent: hung (SIGSTOP, a long stall) with its sockets open, so no closed
// link tells its followers. raft's own timer campaigns after a randomized one to two
// election timeouts. Once a follower has heard nothing from its leader for a whole election
// timeout and one tick more, every other follower's CheckQuorum lease has run out as well
// (they heard the same last message, and their ticks are less than one apart), so a
// pre-vote can win from then on. The followers go one tick apart by rank among the
// voters, so that their pre-votes do not split; raft's randomized timer stays underneath.
// Safety does not depend on this: it only decides when an election starts, and PreVote
// keeps a leader in place that any other follower still hears.
import { None, StateType } from '../raft/index.js'

/** What the decision reads of a follower's raft state. */
export interface SilenceView {
  state: StateType
  /** The leader followed, None when there is none. */
  lead: number
  /** Ticks since this follower last heard from its leader. */
  electionElapsed: number
  /** The base election timeout in ticks (the randomized one is in [e, 2e)). */
  electionTimeout: number
  preVote: boolean
  /** The voters of the current configuration. */
  voters: Iterable<number>
}

/**
 * Where `self` stands among the voters other than the leader, by id (0 goes first); -1
 * when it is not one of them. Survivors of a lost or silent leader campaign in this order.
 */
export function survivorRank(voters: Iterable<number>, leader: number, self: number): number {
  return [...voters].filter((id) => id !== leader).sort((a, b) => a - b).indexOf(self)
}

/** The tick count after which follower `self` campaigns against a silent leader, or undefined when it does not. */
export function silenceLimit(v: SilenceView, self: number): number | undefined {
  if (!v.preVote || v.state !== StateType.Follower || v.lead === None) return undefined
  const rank = survivorRank(v.voters, v.lead, self)
  if (rank < 0) return undefined
  return v.electionTimeout + 1 + rank
}

/** Whether follower `self` should campaign now: its leader has been silent past its limit. */
export function leaderSilent(v: SilenceView, self: number): boolean {
  const limit = silenceLimit(v, self)
  return limit !== undefined && v.electionElapsed >= limit
}
