// The admin service on /admin: status (once or as a stream), fault filters (the manager's
// partition buttons), leadership transfer and membership changes.
import type { Logger } from 'pino'
import { adminpb } from '../../proto/generated/protos.js'
import type { Connection, Faults } from '../transport/index.js'
import { CloseCode, validateFaults, TransportError } from '../transport/index.js'
import { ConfChangeType } from '../raft/index.js'
import type { RaftDriver } from './raft-driver.js'
import { DEFAULT_REQUEST_TIMEOUT_MS } from './limits.js'

type AdminResponse = adminpb.AdminResponse.$Properties

export interface AdminServiceOptions {
  log: Logger
  driver: RaftDriver
  status: () => adminpb.NodeStatus.$Properties
  setFaults: (f: Faults) => void
  getFaults: () => Faults
}

const MIN_WATCH_MS = 50

export class AdminService {
  constructor(private readonly opts: AdminServiceOptions) {}

  attach(conn: Connection): void {
    const watches: NodeJS.Timeout[] = []
    conn.onClose(() => watches.forEach(clearInterval))
    const send = (r: AdminResponse): void => {
      if (conn.isOpen) conn.send(adminpb.AdminResponse.encode(r).finish())
    }
    conn.onMessage((bytes) => {
      let req: adminpb.AdminRequest
      try {
        req = adminpb.AdminRequest.decode(bytes)
      } catch (err) {
        this.opts.log.warn({ conn: conn.id, remote: conn.remoteAddress, err: String(err) }, 'admin: frame does not decode; closing connection')
        send({ id: 0, errorCode: 'BAD_REQUEST', errorMessage: 'frame is not an AdminRequest' })
        conn.close(CloseCode.InvalidPayload, 'frame is not an AdminRequest')
        return
      }
      const id = req.id
      const fail = (errorCode: string, errorMessage: string): void => send({ id, errorCode, errorMessage })
      switch (req.cmd) {
        case 'status':
          send({ id, status: this.opts.status() })
          return
        case 'watchStatus': {
          const every = Math.max(MIN_WATCH_MS, req.watchStatus!.intervalMs || 500)
          send({ id, status: this.opts.status() })
          watches.push(setInterval(() => send({ id, status: this.opts.status() }), every))
          return
        }
        case 'setFaults': {
          const f = req.setFaults!.faults
          try {
            const faults = validateFaults({ blockedPeers: (f?.blockedPeers ?? []).map(Number), dropRate: f?.dropRate ?? 0, delayMs: f?.delayMs ?? 0, jitterMs: f?.jitterMs ?? 0 })
            this.opts.setFaults(faults)
            this.opts.log.info({ event: 'faults-set', faults }, 'faults set')
            send({ id, faults: this.opts.getFaults() })
          } catch (e) {
            if (e instanceof TransportError) fail(e.code, e.message)
            else throw e
          }
          return
        }
        case 'transferLeader': {
          const to = req.transferLeader?.peer ?? 0
          if (!this.opts.driver.isLeader) return fail('NOT_LEADER', 'only the leader can transfer leadership')
          if (!this.opts.driver.rawNode.isMember(to)) return fail('BAD_REQUEST', `peer ${to} is not a member`)
          this.opts.log.info({ event: 'leader-transfer-requested', to }, 'leader transfer requested')
          this.opts.driver.transferLeader(to)
          send({ id, status: this.opts.status() })
          return
        }
        case 'changePeer': {
          const cp = { change: req.changePeer?.change ?? '', peer: req.changePeer?.peer ?? 0, addr: req.changePeer?.addr ?? '' }
          const type = cp.change === 'add' ? ConfChangeType.AddNode : cp.change === 'remove' ? ConfChangeType.RemoveNode : undefined
          if (type === undefined) return fail('BAD_REQUEST', `change must be "add" or "remove", got "${cp.change}"`)
          if (!(cp.peer > 0)) return fail('BAD_REQUEST', 'peer must be a positive node id')
          if (type === ConfChangeType.AddNode && !/^[^:\s]+:\d{1,5}$/.test(cp.addr)) return fail('BAD_REQUEST', 'addr must be host:port')
          this.opts.driver.changePeer(type, { id: cp.peer, addr: cp.addr }, Date.now() + DEFAULT_REQUEST_TIMEOUT_MS, (o) => {
            if (o.ok) send({ id, status: this.opts.status() })
            else fail(o.reason === 'not-leader' ? 'NOT_LEADER' : o.reason.toUpperCase(), `membership change failed: ${o.reason}`)
          })
          return
        }
        default:
          fail('BAD_REQUEST', 'unknown admin request')
      }
    })
  }
}
