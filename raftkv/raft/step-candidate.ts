// A (pre-)candidate's reaction to messages (after step()'s common term handling).
import type { Message } from './types.js'
import { MessageType, None } from './types.js'
import type { Raft } from './raft.js'
import { StateType } from './state-type.js'
import { ErrProposalDropped } from './errors.js'

export function stepCandidate(r: Raft, m: Message): void {
  const myVoteResp = r.state === StateType.PreCandidate ? MessageType.MsgRequestPreVoteResponse : MessageType.MsgRequestVoteResponse
  switch (m.msgType) {
    case MessageType.MsgPropose:
      throw ErrProposalDropped
    case MessageType.MsgAppend:
      r.becomeFollower(m.term ?? r.term, m.from ?? None)
      r.handleAppendEntries(m)
      return
    case MessageType.MsgHeartbeat:
      r.becomeFollower(m.term ?? r.term, m.from ?? None)
      r.handleHeartbeat(m)
      return
    case MessageType.MsgSnapshot:
      r.becomeFollower(m.term ?? r.term, m.from ?? None)
      r.handleSnapshot(m)
      return
    case myVoteResp: {
      const result = r.poll(m.from ?? None, !m.reject)
      if (result === 'won') {
        if (r.state === StateType.PreCandidate) r.campaign('election')
        else r.becomeLeaderAndAnnounce()
      } else if (result === 'lost') {
        // A rejection carrying a higher term already made us a follower in step().
        r.becomeFollower(r.term, None)
      }
      return
    }
    default:
      // MsgTimeoutNow, MsgTransferLeader, MsgReadIndex...: nothing a candidate can do.
      return
  }
}
