import { describe, expect, it } from 'vitest'
import { None, StateType } from '../raft/index.js'
import { leaderSilent, silenceLimit, survivorRank, type SilenceView } from './silent-leader.js'

const view = (over: Partial<SilenceView> = {}): SilenceView => ({
  state: StateType.Follower, lead: 2, electionElapsed: 0, electionTimeout: 10, preVote: true, voters: [1, 2, 3], ...over,
})

describe('a silent leader', () => {
  it('the followers campaign one tick apart by rank, the first one tick past the election timeout', () => {
    expect(silenceLimit(view(), 1)).toBe(11)
    expect(silenceLimit(view(), 3)).toBe(12)
    expect(silenceLimit(view({ voters: [5, 4, 2, 1, 3] }), 5)).toBe(14)
  })

  it('ranks the voters other than the leader by id; -1 for a node that is not one', () => {
    expect([1, 3, 4].map((id) => survivorRank([4, 2, 3, 1], 2, id))).toEqual([0, 1, 2])
    expect(survivorRank([1, 2, 3], 2, 5)).toBe(-1)
  })

  it('fires at the limit, not before', () => {
    expect(leaderSilent(view({ electionElapsed: 10 }), 1)).toBe(false)
    expect(leaderSilent(view({ electionElapsed: 11 }), 1)).toBe(true)
    expect(leaderSilent(view({ electionElapsed: 11 }), 3)).toBe(false)
    expect(leaderSilent(view({ electionElapsed: 12 }), 3)).toBe(true)
  })

  it('only for a follower that follows a leader, with PreVote on, and is a voter', () => {
    const late = { electionElapsed: 100 }
    expect(leaderSilent(view({ ...late, preVote: false }), 1)).toBe(false)
    expect(leaderSilent(view({ ...late, lead: None }), 1)).toBe(false)
    expect(leaderSilent(view({ ...late, state: StateType.PreCandidate }), 1)).toBe(false)
    expect(leaderSilent(view({ ...late, state: StateType.Leader }), 1)).toBe(false)
    expect(leaderSilent(view({ ...late, voters: [2, 3] }), 1)).toBe(false) // a learner
    expect(leaderSilent(view(late), 1)).toBe(true)
  })
})
