// The leader's reaction to messages (after step()'s common term handling).
import type { Message } from './types.js'
import { MessageType, EntryType, None, makeEntry } from './types.js'
import type { Raft } from './raft.js'
import { StateType } from './state-type.js'
import { ErrProposalDropped } from './errors.js'
import { quorumSize } from './quorum/majority.js'

export function stepLeader(r: Raft, m: Message): void {
  switch (m.msgType) {
    case MessageType.MsgBeat:
      r.bcastHeartbeat()
      return
    case MessageType.MsgCheckQuorum:
      if (!r.quorumActive()) {
        r.logger.warn(`${r.id} stepped down to follower since quorum is not active`)
        r.becomeFollower(r.term, None)
      }
      return
    case MessageType.MsgPropose:
      propose(r, m)
      return
    case MessageType.MsgReadIndex:
      readIndex(r, m)
      return
    case MessageType.MsgTransferLeader:
      transferLeader(r, m)
      return
  }

  // Everything below is a response from a follower.
  const from = m.from ?? None
  const pr = r.prs.get(from)
  if (!pr) return
  switch (m.msgType) {
    case MessageType.MsgAppendResponse: {
      pr.recentActive = true
      const index = m.index ?? 0
      if (index > r.raftLog.lastIndex()) return // acknowledges entries we never sent
      if (m.reject) {
        let nextProbe = m.rejectHint ?? 0
        if ((m.logTerm ?? 0) > 0) nextProbe = r.raftLog.findConflictByTerm(nextProbe, m.logTerm ?? 0)
        if (pr.maybeDecrTo(index, nextProbe)) {
          if (pr.state === 'replicate') pr.becomeProbe()
          r.sendAppend(from)
        }
        return
      }
      const oldPaused = pr.isPaused()
      if (!pr.maybeUpdate(index)) return
      if (pr.state === 'probe') {
        pr.becomeReplicate()
      } else if (pr.state === 'snapshot' && pr.match + 1 >= r.raftLog.firstIndex()) {
        pr.becomeProbe()
        pr.becomeReplicate()
      } else if (pr.state === 'replicate') {
        pr.inflights.freeLE(index)
      }
      if (r.maybeCommit()) {
        r.bcastAppend()
      } else if (oldPaused || pr.match < r.raftLog.lastIndex()) {
        r.sendAppend(from, false)
      }
      if (r.flowControl) {
        // Stream as much as the window allows.
        while (pr.next <= r.raftLog.lastIndex() && !pr.isPaused() && r.sendAppend(from, false)) { /* keep sending */ }
      }
      if (from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) {
        r.logger.info(`${r.id} sent MsgTimeoutNow to ${from} after its log caught up`)
        r.sendTimeoutNow(from)
      }
      return
    }
    case MessageType.MsgHeartbeatResponse: {
      pr.recentActive = true
      pr.probeSent = false
      if (m.reject && (m.rejectHint ?? 0) < pr.match) {
        r.logger.warn(`${r.id} follower ${from} lost its log (it ends at ${m.rejectHint ?? 0}, match was ${pr.match}); resending from there`)
        pr.match = m.rejectHint ?? 0
        pr.becomeProbe()
      }
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
      if (pr.state === 'snapshot' && !r.flowControl) {
        // Classic mode has no snapshot status reports: after a couple of election
        // timeouts' worth of heartbeats, assume the snapshot was lost and retry.
        pr.snapshotHeartbeats++
        if (pr.snapshotHeartbeats * r.heartbeatTimeout >= 2 * r.electionTimeout) pr.becomeProbe()
      }
      if (pr.match < r.raftLog.lastIndex()) r.sendAppend(from)
      const ctx = m.context
      if (ctx && ctx.length > 0) {
        const acks = r.readOnly.acks(ctx)
        if (!acks) return
        r.readOnly.recvAck(from, ctx)
        if (!hasQuorum(r, acks)) return
        for (const rs of r.readOnly.advance(ctx)) respondToRead(r, rs.req, rs.index)
      }
      return
    }
    case MessageType.MsgSnapStatus: {
      if (pr.state !== 'snapshot') return
      if (m.reject) {
        pr.pendingSnapshot = 0
        r.logger.info(`${r.id} snapshot to ${from} failed, resumed sending replication messages`)
      }
      pr.becomeProbe()
      // Wait for the follower's answer (or a heartbeat) before probing again.
      pr.probeSent = true
      return
    }
    case MessageType.MsgUnreachable:
      if (pr.state === 'replicate') pr.becomeProbe()
      return
  }
}

function hasQuorum(r: Raft, acks: Set<number>): boolean {
  let n = 0
  let got = 0
  for (const id of r.prs.keys()) {
    n++
    if (id === r.id || acks.has(id)) got++
  }
  return got >= quorumSize(n)
}

function propose(r: Raft, m: Message): void {
  const ents = m.entries ?? []
  if (ents.length === 0) return
  if (!r.prs.has(r.id)) throw ErrProposalDropped // removed from the group
  if (r.leadTransferee !== None) {
    r.logger.debug(`${r.id} [term ${r.term}] transfer leadership to ${r.leadTransferee} is in progress; dropping proposal`)
    throw ErrProposalDropped
  }
  let out = ents
  for (let i = 0; i < ents.length; i++) {
    if (ents[i]!.entryType !== EntryType.EntryConfChange) continue
    if (r.pendingConfIndex > r.raftLog.applied) {
      if (ents.length === 1) throw ErrProposalDropped
      // One conf change at a time: the extra one becomes a no-op.
      if (out === ents) out = ents.slice()
      out[i] = makeEntry({})
    } else {
      r.pendingConfIndex = r.raftLog.lastIndex() + i + 1
    }
  }
  r.appendEntry(out)
  r.bcastAppend()
}

function readIndex(r: Raft, m: Message): void {
  if (r.prs.size <= 1) {
    respondToRead(r, m, r.raftLog.committed)
    return
  }
  if (!r.committedEntryInCurrentTerm()) {
    // The commit index is only known to be current once an entry of this term commits.
    r.pendingReadIndexMessages.push(m)
    return
  }
  const ctx = m.entries?.[0]?.data
  if (!ctx || ctx.length === 0) return
  r.readOnly.addRequest(r.raftLog.committed, m, ctx)
  r.readOnly.recvAck(r.id, ctx)
  r.bcastHeartbeat(ctx)
}

function respondToRead(r: Raft, req: Message, index: number): void {
  const ctx = req.entries?.[0]?.data ?? new Uint8Array(0)
  if ((req.from ?? None) === None || req.from === r.id) {
    r.readStates.push({ index, requestCtx: ctx })
  } else {
    r.send({ to: req.from ?? None, msgType: MessageType.MsgReadIndexResponse, index, entries: req.entries ?? [] })
  }
}

function transferLeader(r: Raft, m: Message): void {
  const transferee = m.from ?? None
  const pr = r.prs.get(transferee)
  if (!pr) {
    r.logger.debug(`${r.id} ignored transfer leadership to ${transferee}: not a member`)
    return
  }
  if (r.leadTransferee !== None) {
    if (r.leadTransferee === transferee) return // already in progress
    r.abortLeaderTransfer()
  }
  if (transferee === r.id) return // already leader
  if (r.state !== StateType.Leader) return
  // The transfer must finish within an election timeout.
  r.electionElapsed = 0
  r.leadTransferee = transferee
  if (pr.match === r.raftLog.lastIndex()) r.sendTimeoutNow(transferee)
  else r.sendAppend(transferee)
}
