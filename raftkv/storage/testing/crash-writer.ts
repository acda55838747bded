// Child process of crash.test.ts: writes ready states and applies in a loop, as a
// raft node would, until it is killed. Usage: crash-writer.ts <dataDir> <seed>.
// Prints "ready" once open, then "ack <term> <commit> <applied>" lines: each one is
// written only after the state it names was persisted.
import { PeerStorage } from '../peer-storage.js'
import { decodeEntryData, entryData } from './crash-model.js'

const [dataDir, seedArg] = process.argv.slice(2)
let seed = Number(seedArg ?? 1) >>> 0
const rand = (n: number): number => {
  // xorshift32: reproducible from the seed.
  seed ^= seed << 13
  seed >>>= 0
  seed ^= seed >>> 17
  seed ^= seed << 5
  seed >>>= 0
  return seed % n
}

const s = await PeerStorage.open({ dataDir: dataDir!, initialPeers: [{ id: 1, addr: '127.0.0.1:1' }] })
let term = Math.max(1, s.raftState.hardState.term)
process.stdout.write('ready\n')

for (let round = 0; ; round++) {
  const commit = s.raftState.hardState.commit
  const last = s.lastIndex()
  let start = last + 1
  if (rand(7) === 0) {
    // A new leader overwrites part of the uncommitted suffix.
    term++
    start = commit + 1 + rand(last - commit + 1)
  }
  const n = 1 + rand(16)
  const entries = Array.from({ length: n }, (_, i) => ({ index: start + i, term, data: entryData(start + i, term) }))
  const newCommit = Math.min(start + n - 1, commit + rand(n + 4))
  await s.saveReadyState({ hardState: { term, vote: 1, commit: newCommit }, entries })

  // Apply the newly committed entries in a few batches.
  let applied = s.appliedIndex
  while (applied < newCommit) {
    const upTo = Math.min(newCommit, applied + 1 + rand(8))
    const batch = s.newApplyBatch()
    for (const e of s.entries(applied + 1, upTo + 1)) {
      const op = decodeEntryData(e.data!)
      if (op.type === 'put') batch.put(op.key, op.value)
      else batch.delete(op.key)
    }
    if (upTo - s.truncatedIndex > 60) batch.compactLog(upTo - 20, s.term(upTo - 20))
    s.commitApply(batch, upTo)
    applied = upTo
  }
  if (round % 10 === 0) process.stdout.write(`ack ${term} ${s.raftState.hardState.commit} ${s.appliedIndex}\n`)
}
