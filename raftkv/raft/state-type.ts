/** The role a peer plays. PreCandidate is the pre-vote phase (§9.6) before becoming a candidate. */
export enum StateType {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

export function stateName(s: StateType): string {
  switch (s) {
    case StateType.Follower: return 'follower'
    case StateType.Candidate: return 'candidate'
    case StateType.Leader: return 'leader'
    case StateType.PreCandidate: return 'precandidate'
    default: return `unknown(${String(s)})`
  }
}
