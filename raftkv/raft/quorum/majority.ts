// Majority quorum arithmetic over a set of voters.

export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1
}

/** The highest index that a majority has reached, given each voter's match index. */
export function committedIndex(matches: number[]): number {
  const n = matches.length
  if (n === 0) return 0
  if (n === 1) return matches[0]!
  // Insertion sort, descending: n is the (small) number of voters.
  const sorted = matches.slice()
  for (let i = 1; i < n; i++) {
    const v = sorted[i]!
    let j = i - 1
    while (j >= 0 && sorted[j]! < v) { sorted[j + 1] = sorted[j]!; j-- }
    sorted[j + 1] = v
  }
  return sorted[quorumSize(n) - 1]!
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
