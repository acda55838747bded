// A follower's reaction to messages (after step()'s common term handling).
import type { Message } from './types.js'
import { MessageType, None, makeMessage } from './types.js'
import type { Raft } from './raft.js'
import { ErrProposalDropped } from './errors.js'

export function stepFollower(r: Raft, m: Message): void {
  switch (m.msgType) {
    case MessageType.MsgPropose:
      if (r.lead === None) throw ErrProposalDropped
      forward(r, m)
      return
    case MessageType.MsgAppend:
      r.electionElapsed = 0
      r.lead = m.from ?? None
      r.handleAppendEntries(m)
      return
    case MessageType.MsgHeartbeat:
      r.electionElapsed = 0
      r.lead = m.from ?? None
      r.handleHeartbeat(m)
      return
    case MessageType.MsgSnapshot:
      r.electionElapsed = 0
      r.lead = m.from ?? None
      r.handleSnapshot(m)
      return
    case MessageType.MsgTransferLeader:
      if (r.lead === None) return
      forward(r, m)
      return
    case MessageType.MsgTimeoutNow:
      // Leadership transfer: campaign at once, bypassing pre-vote and the leader lease.
      if (!r.promotable()) return
      r.logger.info(`${r.id} [term ${r.term}] received MsgTimeoutNow from ${m.from ?? None} and starts an election`)
      r.campaign('transfer')
      return
    case MessageType.MsgReadIndex:
      if (r.lead === None) return
      forward(r, m)
      return
    case MessageType.MsgReadIndexResponse: {
      const ctx = m.entries?.[0]?.data
      if (!ctx) return
      r.readStates.push({ index: m.index ?? 0, requestCtx: ctx })
      return
    }
  }
}

/** Passes a local request on to the leader (it stays a local message: no term). */
function forward(r: Raft, m: Message): void {
  const fwd = makeMessage({})
  Object.assign(fwd, m)
  fwd.to = r.lead
  if (!fwd.from) fwd.from = r.id
  delete (fwd as Record<string, unknown>).term
  r.msgs.push(fwd)
}
