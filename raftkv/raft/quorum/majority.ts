// Majority quorum arithmetic over a set of voters.

export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1
}

/** The highest index that a majority has reached, given each voter's match index. */
export function committedIndex(matches: number[]): number {
  if (matches.length === 0) return 0
  const sorted = matches.slice().sort((a, b) => b - a)
  return sorted[quorumSize(sorted.length) - 1]!
}

export type VoteResult = 'pending' | 'won' | 'lost'

/** Tallies votes (true: granted) of the given voters; missing voters have not answered. */
export function voteResult(voters: Iterable<number>, votes: Map<number, boolean>): VoteResult {
  let n = 0
  let granted = 0
  let rejected = 0
  for (const id of voters) {
    n++
    const v = votes.get(id)
    if (v === true) granted++
    else if (v === false) rejected++
  }
  const q = quorumSize(n)
  if (granted >= q) return 'won'
  if (n - rejected < q) return 'lost'
  return 'pending'
}
