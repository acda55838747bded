// The admin service on /admin: status (once or as a stream), fault filters (the manager's
// partition buttons), leadership transfer and membership changes. Every refusal is an
// adminpb.AdminErrorCode; ids and addresses are checked here, before anything is proposed.
import type { Logger } from 'pino'
import { adminpb } from '../../proto/generated/protos.js'
import type { Connection, Faults } from '../transport/index.js'
import { CloseCode, validateFaults, TransportError, isNodeId } from '../transport/index.js'
import { ConfChangeType } from '../raft/index.js'
import type { PeerInfo } from '../storage/index.js'
import type { RaftDriver, WriteOutcome } from './raft-driver.js'
import { DEFAULT_REQUEST_TIMEOUT_MS } from './limits.js'
import { peerChangeProblem } from './peer-change.js'
import { StatusWatches } from './status-watches.js'
import { ReplyFlow } from './reply-flow.js'

type AdminResponse = adminpb.AdminResponse.$Properties
const Code = adminpb.AdminErrorCode

export interface AdminServiceOptions {
  log: Logger
  driver: RaftDriver
  status: () => adminpb.NodeStatus.$Properties
  setFaults: (f: Faults) => void
  getFaults: () => Faults
  /** The membership as applied. */
  members: () => readonly PeerInfo[]
  /** True once this node knows it was removed (a tombstone). */
  removed: () => boolean
}

export class AdminService {
  private readonly watches: StatusWatches

  constructor(private readonly opts: AdminServiceOptions) {
    this.watches = new StatusWatches(opts.status)
  }

  attach(conn: Connection): void {
    const flow = new ReplyFlow(conn)
    const send = (r: AdminResponse): void => {
      flow.send(adminpb.AdminResponse.encode(r).finish())
    }
    conn.onMessage((bytes) => {
      let req: adminpb.AdminRequest
      try {
        req = adminpb.AdminRequest.decode(bytes)
      } catch (err) {
        this.opts.log.warn({ conn: conn.id, remote: conn.remoteAddress, err: String(err) }, 'admin: frame does not decode; closing connection')
        send({ id: 0, errorCode: Code.BAD_REQUEST, errorMessage: 'frame is not an AdminRequest' })
        conn.close(CloseCode.InvalidPayload, 'frame is not an AdminRequest')
        return
      }
      // A uint64 id past 2^53 does not survive as a number: the caller could never match the answer.
      if (!Number.isSafeInteger(req.id)) return send({ id: 0, errorCode: Code.BAD_REQUEST, errorMessage: 'request id must be below 2^53' })
      this.handle(conn, req, send)
    })
  }

  private handle(conn: Connection, req: adminpb.AdminRequest, send: (r: AdminResponse) => void): void {
    const id = req.id
    const fail = (errorCode: adminpb.AdminErrorCode, errorMessage: string): void => send({ id, errorCode, errorMessage })
    const driver = this.opts.driver
    switch (req.cmd) {
      case 'status':
        return send({ id, status: this.opts.status() })
      case 'watchStatus': {
        const refused = this.watches.start(conn, id, req.watchStatus?.intervalMs ?? 0)
        if (refused) fail(refused.code, refused.message)
        return
      }
      case 'setFaults': {
        const f = req.setFaults?.faults
        try {
          const links = (f?.links ?? []).map((l) => ({ peer: Number(l.peer ?? 0), dropRate: l.dropRate ?? 0, delayMs: l.delayMs ?? 0, jitterMs: l.jitterMs ?? 0 }))
          const faults = validateFaults({ blockedPeers: (f?.blockedPeers ?? []).map(Number), dropRate: f?.dropRate ?? 0, delayMs: f?.delayMs ?? 0, jitterMs: f?.jitterMs ?? 0, links })
          this.opts.setFaults(faults)
          this.opts.log.info({ event: 'faults-set', faults }, 'faults set')
          send({ id, faults: this.opts.getFaults() })
        } catch (e) {
          if (e instanceof TransportError) fail(Code.INVALID_FAULTS, e.message)
          else throw e
        }
        return
      }
      case 'transferLeader': {
        if (this.opts.removed()) return fail(Code.REMOVED, 'this node was removed from the cluster')
        const to = req.transferLeader?.peer ?? 0
        if (!isNodeId(to)) return fail(Code.BAD_REQUEST, `peer ${to} is not a node id (a positive integer below 2^53)`)
        if (!driver.isLeader) return fail(Code.NOT_LEADER, this.notLeaderMessage('transfer leadership'))
        if (!driver.rawNode.isMember(to)) return fail(Code.NOT_MEMBER, `peer ${to} is not a member`)
        this.opts.log.info({ event: 'leader-transfer-requested', to }, 'leader transfer requested')
        driver.transferLeader(to)
        return send({ id, status: this.opts.status() })
      }
      case 'changePeer':
        return this.changePeer(req.changePeer, () => send({ id, status: this.opts.status() }), fail)
      default:
        return fail(Code.BAD_REQUEST, 'unknown admin request')
    }
  }

  private changePeer(
    cp: adminpb.ChangePeerRequest.$Properties | null | undefined,
    done: () => void,
    fail: (code: adminpb.AdminErrorCode, message: string) => void,
  ): void {
    if (this.opts.removed()) return fail(Code.REMOVED, 'this node was removed from the cluster')
    const change = cp?.change ?? ''
    if (change !== 'add' && change !== 'remove') return fail(Code.BAD_REQUEST, `change must be "add" or "remove", got "${change.slice(0, 40)}"`)
    const peer = { id: cp?.peer ?? 0, addr: cp?.addr ?? '' }
    if (change === 'add' && peer.addr === '') return fail(Code.BAD_REQUEST, 'addr must be host:port')
    const members = this.opts.members()
    const problem = peerChangeProblem(change, peer, members)
    if (problem !== undefined) return fail(Code.BAD_REQUEST, problem)
    const current = members.find((m) => m.id === peer.id)
    if (change === 'remove' && !current) return fail(Code.NOT_MEMBER, `node ${peer.id} is not a member (removed already?)`)
    if (change === 'add' && current?.addr === peer.addr) return fail(Code.ALREADY_MEMBER, `node ${peer.id} is a member at ${peer.addr} already`)
    if (!this.opts.driver.isLeader) return fail(Code.NOT_LEADER, this.notLeaderMessage('change the membership'))
    const type = change === 'add' ? ConfChangeType.AddNode : ConfChangeType.RemoveNode
    this.opts.driver.changePeer(type, peer, Date.now() + DEFAULT_REQUEST_TIMEOUT_MS, (o) => {
      if (o.ok) done()
      else fail(changeFailureCode(o), `membership change failed: ${o.reason}${'detail' in o && o.detail ? `: ${o.detail}` : ''}`)
    })
  }

  private notLeaderMessage(what: string): string {
    const lead = this.opts.driver.leaderId
    const addr = this.opts.members().find((m) => m.id === lead)?.addr
    return lead ? `only the leader can ${what}; the leader is node ${lead}${addr ? ` at ${addr}` : ''}` : `only the leader can ${what}; no leader known`
  }
}

function changeFailureCode(o: Exclude<WriteOutcome, { ok: true }>): adminpb.AdminErrorCode {
  switch (o.reason) {
    case 'not-leader': return Code.NOT_LEADER
    case 'busy': return Code.SERVER_BUSY
    case 'stale': return Code.STALE_COMMAND
    case 'timeout': return Code.TIMEOUT
    case 'dropped': return Code.PROPOSAL_DROPPED
    case 'stopped': return Code.STOPPED
    case 'refused': return Code.CONF_CHANGE_REFUSED
    case 'invalid': return Code.BAD_REQUEST
  }
}
