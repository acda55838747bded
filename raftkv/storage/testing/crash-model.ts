// The deterministic workload of the crash tests: what entry (index, term) carries and
// what the user data must be once entries up to some index are applied.
import type { PeerStorage } from '../peer-storage.js'

export const KEYS = 50

/** Entry i of term t: delete key i%50 when i%13 == 0, else put `v<i>-t<t>`. */
export function entryData(index: number, term: number): Buffer {
  const key = `k${index % KEYS}`
  return Buffer.from(index % 13 === 0 ? `del:${key}` : `put:${key}:v${index}-t${term}`)
}

export type DataOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'delete'; key: Buffer }

export function decodeEntryData(data: Uint8Array): DataOp {
  const [op, key, value] = Buffer.from(data).toString().split(':')
  return op === 'del' ? { type: 'delete', key: Buffer.from(key!) } : { type: 'put', key: Buffer.from(key!), value: Buffer.from(value!) }
}

/**
 * Problems with the storage's state, as sentences (empty: consistent): raft's
 * invariants, and user data equal to applying entries 1..applied in order.
 */
export function checkConsistency(s: PeerStorage): string[] {
  const problems: string[] = []
  const { hardState, lastIndex, lastTerm } = s.raftState
  const { appliedIndex, truncatedIndex } = s.applyState
  if (hardState.commit > lastIndex) problems.push(`commit ${hardState.commit} > last index ${lastIndex}`)
  if (appliedIndex > hardState.commit) problems.push(`applied ${appliedIndex} > commit ${hardState.commit}`)
  if (truncatedIndex > appliedIndex) problems.push(`truncated ${truncatedIndex} > applied ${appliedIndex}`)
  const log = s.entries(s.firstIndex(), lastIndex + 1)
  log.forEach((e, i) => {
    if (e.index !== s.firstIndex() + i) problems.push(`log not contiguous at ${s.firstIndex() + i}`)
  })
  if (s.term(lastIndex) !== lastTerm) problems.push(`last term ${s.term(lastIndex)} != ${lastTerm}`)
  for (let k = 0; k < KEYS; k++) {
    const key = `k${k}`
    const got = s.get(Buffer.from(key))?.toString()
    // The last applied entry that touched this key.
    const i = appliedIndex - ((appliedIndex - k + KEYS) % KEYS)
    if (i < 1) {
      if (got !== undefined) problems.push(`${key} = ${got}, but no applied entry wrote it`)
      continue
    }
    if (i % 13 === 0) {
      if (got !== undefined) problems.push(`${key} = ${got}, but entry ${i} deleted it`)
      continue
    }
    const want = i > truncatedIndex ? `v${i}-t${s.term(i)}` : undefined
    if (want !== undefined ? got !== want : !got?.startsWith(`v${i}-t`)) {
      problems.push(`${key} = ${got}, want ${want ?? `v${i}-t*`} from entry ${i}`)
    }
  }
  return problems
}
