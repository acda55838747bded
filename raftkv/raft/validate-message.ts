// Cheap structural checks on an incoming message: raft ignores what it cannot trust
// (negative or fractional numbers, entries that are not contiguous after index).
import { MessageType, type Message } from './types.js'

function okNum(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
}

export function isValidMessage(m: Message): boolean {
  if (m === null || typeof m !== 'object') return false
  if (!okNum(m.msgType) || !okNum(m.to) || !okNum(m.from) || !okNum(m.term) || !okNum(m.logTerm) ||
    !okNum(m.index) || !okNum(m.commit) || !okNum(m.rejectHint)) return false
  const ents = m.entries
  if (ents !== undefined && ents !== null) {
    if (!Array.isArray(ents)) return false
    // MsgAppend entries must follow index one by one.
    if (m.msgType === MessageType.MsgAppend) {
      let expect = (m.index ?? 0) + 1
      for (const e of ents) {
        if (e === null || typeof e !== 'object' || !okNum(e.term) || (e.index ?? 0) !== expect) return false
        expect++
      }
    }
  }
  return true
}
