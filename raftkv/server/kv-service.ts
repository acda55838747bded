// The client service on /kv: one KvRequest per frame, one KvResponse per request (same id).
// Writes go through raft; reads are linearizable by ReadIndex and only a leader answers.
import type { Logger } from 'pino'
import { kvpb } from '../../proto/generated/protos.js'
import type { Connection } from '../transport/index.js'
import { CloseCode } from '../transport/index.js'
import type { RaftDriver, WriteOutcome } from './raft-driver.js'
import type { ReadOutcome } from './reads.js'
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, MAX_SCAN_LIMIT, MAX_SCAN_REPLY_BYTES, DEFAULT_SCAN_LIMIT, DEFAULT_REQUEST_TIMEOUT_MS } from './limits.js'
import { ReplyFlow, type ReplyConnection } from './reply-flow.js'
import { traceStep } from './step-trace.js'

const Code = kvpb.ErrorCode
const EMPTY = new Uint8Array(0)
type KvError = kvpb.KvError.$Properties
type KvResponse = kvpb.KvResponse.$Properties

/** Outstanding requests one connection may have before it gets SERVER_BUSY. */
const MAX_INFLIGHT_PER_CONNECTION = 10_000

/** What the KV service needs of a /kv connection. */
export type KvConnection = ReplyConnection & Pick<Connection, 'onMessage' | 'close' | 'id' | 'remoteAddress'>

/** What the KV service needs of the driver. */
export type KvDriver = Pick<RaftDriver, 'read' | 'write' | 'leaderId' | 'storage'>

export interface KvServiceOptions {
  log: Logger
  driver: KvDriver
  /** The address of a peer, for NotLeader hints. */
  addrOf: (id: number) => string | undefined
  requestTimeoutMs?: number
}

export class KvService {
  /** `errors` counts refusals other than NOT_LEADER; `notLeader` counts the redirects (a client following a hint). */
  readonly counters = { requests: 0, gets: 0, puts: 0, deletes: 0, scans: 0, errors: 0, notLeader: 0, badFrames: 0 }
  private readonly timeoutMs: number

  constructor(private readonly opts: KvServiceOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  }

  attach(conn: KvConnection): void {
    let inflight = 0
    const flow = new ReplyFlow(conn)
    const reply = (r: KvResponse): void => {
      inflight--
      flow.send(kvpb.KvResponse.encode(r).finish())
    }
    conn.onMessage((bytes) => {
      let req: kvpb.KvRequest
      try {
        req = kvpb.KvRequest.decode(bytes)
      } catch (err) {
        this.counters.badFrames++
        this.opts.log.warn({ conn: conn.id, remote: conn.remoteAddress, err: String(err) }, 'kv: frame does not decode; closing connection')
        conn.send(kvpb.KvResponse.encode({ id: 0, error: { code: Code.BAD_REQUEST, message: 'frame is not a KvRequest' } }).finish())
        conn.close(CloseCode.InvalidPayload, 'frame is not a KvRequest')
        return
      }
      inflight++
      this.counters.requests++
      if (!Number.isSafeInteger(req.id)) {
        // A uint64 id past 2^53 does not survive as a number: the caller could never match the answer.
        reply({ id: 0, error: { code: Code.BAD_REQUEST, message: 'request id must be below 2^53' } })
        return
      }
      if (inflight > MAX_INFLIGHT_PER_CONNECTION) {
        reply({ id: req.id, error: { code: Code.SERVER_BUSY, message: `more than ${MAX_INFLIGHT_PER_CONNECTION} requests in flight on this connection` } })
        return
      }
      this.handle(req, reply)
    })
  }

  private handle(req: kvpb.KvRequest, reply: (r: KvResponse) => void): void {
    const id = req.id
    const fail = (error: KvError): void => {
      if (error.code === Code.NOT_LEADER) this.counters.notLeader++
      else this.counters.errors++
      reply({ id, error })
    }
    const deadline = Date.now() + this.timeoutMs
    switch (req.cmd) {
      case 'get': {
        this.counters.gets++
        const key = req.get?.key ?? EMPTY
        const bad = checkKey(key)
        if (bad) return fail(bad)
        this.opts.driver.read(deadline, (o) => {
          if (!o.ok) return fail(this.readError(o))
          const value = this.opts.driver.storage.get(key)
          reply({ id, get: value === undefined ? { found: false } : { found: true, value } })
        })
        return
      }
      case 'scan': {
        this.counters.scans++
        const start = req.scan?.start ?? EMPTY
        const end = req.scan?.end ?? EMPTY
        const limit = req.scan?.limit || DEFAULT_SCAN_LIMIT
        if (limit > MAX_SCAN_LIMIT) return fail({ code: Code.BAD_REQUEST, message: `scan limit ${limit} is over the maximum ${MAX_SCAN_LIMIT}` })
        if (start.length > MAX_KEY_BYTES || end.length > MAX_KEY_BYTES) return fail({ code: Code.KEY_TOO_LARGE, message: `scan bound over ${MAX_KEY_BYTES} bytes` })
        if (end.length > 0 && Buffer.compare(start, end) >= 0) return fail({ code: Code.BAD_REQUEST, message: 'scan start must be before end' })
        this.opts.driver.read(deadline, (o) => {
          if (!o.ok) return fail(this.readError(o))
          // Bounded in bytes too: 10,000 pairs of 512 KiB would be 5 GB in one frame.
          const { pairs, more } = this.opts.driver.storage.scanBounded(start, end, limit, MAX_SCAN_REPLY_BYTES)
          reply({ id, scan: { pairs: pairs.map((r) => ({ key: r.key, value: r.value })), more } })
        })
        return
      }
      case 'put': {
        this.counters.puts++
        const key = req.put?.key ?? EMPTY
        const value = req.put?.value ?? EMPTY
        const bad = checkKey(key) ?? checkValue(value)
        if (bad) return fail(bad)
        traceStep('put-received')
        this.opts.driver.write({ kind: 'put', key, value }, deadline, (o) => {
          if (o.ok) reply({ id, put: {} })
          else fail(this.writeError(o))
          traceStep('put-answered')
        })
        return
      }
      case 'delete': {
        this.counters.deletes++
        const key = req.delete?.key ?? EMPTY
        const bad = checkKey(key)
        if (bad) return fail(bad)
        this.opts.driver.write({ kind: 'delete', key }, deadline, (o) => (o.ok ? reply({ id, delete: {} }) : fail(this.writeError(o))))
        return
      }
      default:
        return fail({ code: Code.BAD_REQUEST, message: 'unknown request type (expected get, put, delete or scan)' })
    }
  }

  private notLeader(): KvError {
    const lead = this.opts.driver.leaderId
    const addr = lead ? this.opts.addrOf(lead) ?? '' : ''
    return { code: Code.NOT_LEADER, message: lead ? `not the leader; the leader is ${lead}` : 'not the leader; no leader known', leaderId: lead, leaderAddr: addr }
  }

  private readError(o: Exclude<ReadOutcome, { ok: true }>): KvError {
    switch (o.reason) {
      case 'not-leader': return this.notLeader()
      case 'timeout': return { code: Code.TIMEOUT, message: 'read not confirmed by a quorum in time' }
      case 'stopped': return { code: Code.INTERNAL, message: 'node is stopping' }
    }
  }

  private writeError(o: Exclude<WriteOutcome, { ok: true }>): KvError {
    switch (o.reason) {
      case 'not-leader':
      case 'dropped': return this.notLeader()
      case 'stale': return { code: Code.STALE_COMMAND, message: 'the proposal was overwritten by a newer leader; retry' }
      case 'timeout': return { code: Code.TIMEOUT, message: 'write not applied in time; it may still apply' }
      case 'busy': return { code: Code.SERVER_BUSY, message: 'too many pending proposals' }
      case 'stopped': return { code: Code.TIMEOUT, message: 'node is stopping; the write may still apply' }
      case 'refused':
      case 'invalid': return { code: Code.INTERNAL, message: `write refused: ${o.detail ?? o.reason}` }
    }
  }
}

function checkKey(key: Uint8Array): KvError | undefined {
  if (key.length === 0) return { code: Code.BAD_REQUEST, message: 'key must not be empty' }
  if (key.length > MAX_KEY_BYTES) return { code: Code.KEY_TOO_LARGE, message: `key of ${key.length} bytes is over the limit of ${MAX_KEY_BYTES}` }
  return undefined
}

function checkValue(value: Uint8Array): KvError | undefined {
  if (value.length > MAX_VALUE_BYTES) return { code: Code.VALUE_TOO_LARGE, message: `value of ${value.length} bytes is over the limit of ${MAX_VALUE_BYTES}` }
  return undefined
}
