// RaftKvClient: get/put/delete/scan against a raftkv cluster over /kv.
// Finds and caches the leader, follows NotLeader hints, retries what was
// definitely refused (or never sent) with capped backoff, all within one
// deadline per call, then fails with a typed ClientError.
import { kvpb } from '../../proto/generated/protos.js'
import { backoffDelay, sleep, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js'
import { ConnectionPool } from './connection-pool.js'
import { parseEndpoint } from './endpoint.js'
import {
  ClientClosedError,
  ClientError,
  ConnectionError,
  DeadlineExceededError,
  ProtocolError,
  KvServerError,
  kvErrorCode,
} from './errors.js'
import type { MuxCodec } from './mux-connection.js'
import { judgeConnectionError, judgeKvServerError } from './retry-policy.js'

export type Bytes = string | Uint8Array

export interface RaftKvClientOptions {
  /** host:port of one or more nodes; any of them will do, the client finds the leader. */
  endpoints: string[]
  /** The cluster token, sent as `authorization: Bearer <token>`. */
  token: string
  /** Overall deadline of one call, retries included (default 5000). */
  timeoutMs?: number
  /**
   * Bound of one attempt on one node (default: none, the call's deadline bounds it; the
   * load generator uses DEFAULT_ATTEMPT_TIMEOUT_MS). A read not answered by then is
   * tried on the next node; a write that was sent fails at once with an unknown
   * outcome (sending it again could apply it twice), the next call goes elsewhere.
   */
  attemptTimeoutMs?: number
  backoff?: BackoffOptions
  /** Largest frame accepted from a node (bytes). */
  maxPayload?: number
  /** Source of the backoff jitter (default Math.random). */
  random?: () => number
}

export interface CallOptions {
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number
}

export interface ScanOptions extends CallOptions {
  /** At most this many pairs (0 or absent: the server's maximum). */
  limit?: number
}

export interface KvPair {
  key: Buffer
  value: Buffer
}

export interface ScanResult {
  pairs: KvPair[]
  /** True when the range holds more pairs than were returned. */
  more: boolean
}

type Command = 'get' | 'put' | 'delete' | 'scan'

type AttemptResult =
  | { kind: 'response'; response: kvpb.KvResponse }
  | { kind: 'failure'; error: ConnectionError | ProtocolError; sent: boolean }
  | { kind: 'deadline'; sent: boolean }

const kvCodec: MuxCodec<kvpb.KvRequest.$Properties, kvpb.KvResponse> = {
  encode: (request) => kvpb.KvRequest.encode(request).finish(),
  decode: (frame) => kvpb.KvResponse.decode(frame),
  idOf: (response) => response.id,
}

export const DEFAULT_TIMEOUT_MS = 5000
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2500
/** Every endpoint refusing the connection this many times over, with nothing answered: give up. */
const UNREACHABLE_ROUNDS = 2
/** A retry is not started with less time than this left before the deadline. */
const MIN_ATTEMPT_MS = 20

export class RaftKvClient {
  private readonly endpoints: string[]
  private readonly timeoutMs: number
  private readonly attemptTimeoutMs: number
  private readonly backoff: BackoffOptions
  private readonly random: () => number
  private readonly pool: ConnectionPool<kvpb.KvRequest.$Properties, kvpb.KvResponse>
  private cachedLeader: string | undefined
  private nextId = 1
  private roundRobin = 0
  /** The last node that let an attempt run out unanswered: a new call does not start there. */
  private unanswered: string | undefined
  private closed = false

  constructor(options: RaftKvClientOptions) {
    if (options.endpoints.length === 0) throw new TypeError('RaftKvClient needs at least one endpoint')
    this.endpoints = [...new Set(options.endpoints.map(parseEndpoint))]
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? Number.POSITIVE_INFINITY
    this.backoff = options.backoff ?? DEFAULT_BACKOFF
    this.random = options.random ?? Math.random
    this.pool = new ConnectionPool({ path: '/kv', token: options.token, codec: kvCodec, maxPayload: options.maxPayload })
  }

  /** The endpoint believed to lead, once a call succeeded or a node gave a hint. */
  get leader(): string | undefined {
    return this.cachedLeader
  }

  /** The value of key, or null when it is absent. */
  async get(key: Bytes, options?: CallOptions): Promise<Buffer | null> {
    const response = await this.call('get', { get: { key: toBytes(key) } }, options?.timeoutMs)
    const result = response.get!
    return result.found === true ? toBuffer(result.value) : null
  }

  async put(key: Bytes, value: Bytes, options?: CallOptions): Promise<void> {
    await this.call('put', { put: { key: toBytes(key), value: toBytes(value) } }, options?.timeoutMs)
  }

  async delete(key: Bytes, options?: CallOptions): Promise<void> {
    await this.call('delete', { delete: { key: toBytes(key) } }, options?.timeoutMs)
  }

  /** Pairs with start <= key < end (end empty: to the end of the key space), in key order. */
  async scan(start: Bytes = '', end: Bytes = '', options?: ScanOptions): Promise<ScanResult> {
    const response = await this.call('scan', { scan: { start: toBytes(start), end: toBytes(end), limit: options?.limit ?? 0 } }, options?.timeoutMs)
    const result = response.scan!
    return {
      pairs: (result.pairs ?? []).map((pair) => ({ key: toBuffer(pair.key), value: toBuffer(pair.value) })),
      more: result.more === true,
    }
  }

  /**
   * Every pair of [start, end) in key order, one scan call per page of at most `limit` pairs
   * (and the server's reply-size bound), each page starting just after the last key of the
   * one before: neither end holds more than a page. Each page is its own linearizable read,
   * so a range written meanwhile may be seen partly before and partly after the write.
   */
  async *scanPages(start: Bytes = '', end: Bytes = '', options?: ScanOptions): AsyncGenerator<KvPair[]> {
    let from = toBuffer(toBytes(start))
    for (;;) {
      const page = await this.scan(from, end, options)
      if (page.pairs.length > 0) yield page.pairs
      if (!page.more || page.pairs.length === 0) return
      from = Buffer.concat([page.pairs[page.pairs.length - 1]!.key, Buffer.from([0])])
    }
  }

  /** Closes every socket; calls still running fail with CLOSED. */
  async close(): Promise<void> {
    this.closed = true
    this.pool.closeAll()
  }

  private async call(command: Command, body: Omit<kvpb.KvRequest.$Properties, 'id'>, timeoutMs = this.timeoutMs): Promise<kvpb.KvResponse> {
    const isWrite = command === 'put' || command === 'delete'
    const deadline = performance.now() + timeoutMs
    let target = this.cachedLeader ?? this.nextEndpoint(undefined)
    let attempts = 0
    let retries = 0
    let hintHops = 0
    /** Moves to another node without a pause since the last answer: a lost node costs no backoff. */
    let quickHops = 0
    let lastError: ClientError | undefined
    /** Connection refusals per endpoint since the last answer from any node. */
    const refusals = new Map<string, number>()
    /** Nodes that refused a connection during this call: tried last (a killed node stays dead a while). */
    const refused = new Set<string>()
    for (;;) {
      if (this.closed) throw new ClientClosedError(false)
      const remaining = deadline - performance.now()
      if (remaining <= 0) throw new DeadlineExceededError(timeoutMs, attempts, false, lastError)
      attempts++
      const bound = Math.min(remaining, this.attemptTimeoutMs)
      const result = await this.attempt(target, { ...body, id: this.nextId++ }, bound)
      if (this.closed) throw new ClientClosedError(isWrite && result.kind !== 'response' && result.sent)

      if (result.kind === 'deadline') {
        // Sent and unanswered: a write may still apply, so it is not sent again.
        const lastChance = bound >= remaining
        // A node that leaves a request unanswered this long is not the leader to try first
        // again (it may be hung, its socket still open): the next call starts elsewhere.
        if (this.cachedLeader === target) this.cachedLeader = undefined
        this.unanswered = target
        if (lastChance || (isWrite && result.sent)) throw new DeadlineExceededError(lastChance ? timeoutMs : Math.round(bound), attempts, isWrite && result.sent, lastError)
        // A read (or a request never sent) goes to the next node.
        lastError = new ConnectionError(target, `${target} did not answer within ${Math.round(bound)} ms`, result.sent, false)
        if (this.cachedLeader === target) this.cachedLeader = undefined
        target = this.nextEndpoint(target)
        continue
      }

      if (result.kind === 'failure') {
        const { error, sent } = result
        if (error instanceof ConnectionError && (error.httpStatus === 401 || error.httpStatus === 403)) {
          throw new KvServerError('UNAUTHORIZED', `${target} refused the token (HTTP ${error.httpStatus})`, target, false)
        }
        if (error instanceof ConnectionError && !sent) {
          refused.add(target)
          refusals.set(target, (refusals.get(target) ?? 0) + 1)
          if (this.endpoints.every((e) => (refusals.get(e) ?? 0) >= UNREACHABLE_ROUNDS)) {
            throw new ConnectionError(target, `no endpoint is reachable (${this.endpoints.join(', ')}): ${error.message}`, false, false, 0, error)
          }
        }
        const verdict = error instanceof ProtocolError ? { retry: !isWrite, unknownOutcome: isWrite } : judgeConnectionError(sent, isWrite)
        if (!verdict.retry) throw rebuild(error, verdict.unknownOutcome)
        lastError = error
        if (this.cachedLeader === target) this.cachedLeader = undefined
        // The connection to this node was lost or refused: open the others' now, all at
        // once, and try each at once (one may already lead, or hint at who does); back off
        // only after a round. Nodes that refused since the last answer come last.
        if (quickHops === 0) for (const e of this.endpoints) if (e !== target) this.pool.get(e, bound)
        target = this.nextEndpoint(target, refused)
        if (quickHops++ < this.endpoints.length - 1) continue
        if (!(await this.pause(retries++, deadline))) throw new DeadlineExceededError(timeoutMs, attempts, false, lastError)
        continue
      }

      const { response } = result
      refusals.clear()
      quickHops = 0
      if (this.unanswered === target) this.unanswered = undefined
      const wireError = response.error
      if (wireError !== undefined && wireError !== null && (wireError.code ?? 0) !== kvpb.ErrorCode.OK) {
        const code = kvErrorCode(wireError.code ?? 0)
        const verdict = judgeKvServerError(code, isWrite)
        const hint = code === 'NOT_LEADER' ? validHint(wireError.leaderAddr) : undefined
        const error = new KvServerError(code, wireError.message || code, target, verdict.unknownOutcome, wireError.leaderId ?? 0, wireError.leaderAddr ?? '')
        if (!verdict.retry) throw error
        lastError = error
        if (code === 'NOT_LEADER') {
          // A hint at the node that just left us unanswered is stale (that leader hangs).
          if (hint !== undefined && hint !== target && hint !== this.unanswered) {
            // Follow the hint at once, unless hints keep bouncing us around.
            this.cachedLeader = hint
            target = hint
            if (++hintHops <= this.endpoints.length) continue
          } else {
            if (this.cachedLeader === target) this.cachedLeader = undefined
            target = this.nextEndpoint(target, refused)
          }
        }
        if (!(await this.pause(retries++, deadline))) throw new DeadlineExceededError(timeoutMs, attempts, false, lastError)
        continue
      }

      if (response.result !== command) {
        throw new ProtocolError(target, `${target} answered a ${command} with ${response.result ?? 'no result'}`, isWrite)
      }
      this.cachedLeader = target
      return response
    }
  }

  /** One request to one endpoint, bounded by remainingMs. */
  private attempt(endpoint: string, request: kvpb.KvRequest.$Properties, remainingMs: number): Promise<AttemptResult> {
    const connection = this.pool.get(endpoint, remainingMs)
    const id = request.id!
    let sent = false
    return new Promise<AttemptResult>((resolve) => {
      const timer = setTimeout(() => {
        connection.forget(id)
        resolve({ kind: 'deadline', sent })
      }, remainingMs)
      connection.request(id, request, () => { sent = true }).then(
        (response) => {
          clearTimeout(timer)
          resolve({ kind: 'response', response })
        },
        (error: unknown) => {
          clearTimeout(timer)
          if (error instanceof ConnectionError) resolve({ kind: 'failure', error, sent: error.sent })
          else if (error instanceof ProtocolError) resolve({ kind: 'failure', error, sent })
          else resolve({ kind: 'failure', error: new ProtocolError(endpoint, String(error), sent, error), sent })
        },
      )
    })
  }

  /** The endpoint after `current` in the configured list (round robin when unknown). */
  private nextEndpoint(current: string | undefined, refused?: ReadonlySet<string>): string {
    const index = current === undefined ? -1 : this.endpoints.indexOf(current)
    if (index >= 0) {
      const n = this.endpoints.length
      for (let step = 1; step <= n; step++) {
        const e = this.endpoints[(index + step) % n]!
        if (!refused?.has(e)) return e
      }
      return this.endpoints[(index + 1) % n]!
    }
    const pick = this.endpoints[this.roundRobin++ % this.endpoints.length]!
    return pick === this.unanswered && this.endpoints.length > 1 ? this.endpoints[this.roundRobin++ % this.endpoints.length]! : pick
  }

  /**
   * Sleeps before retry number `retry`; false (at once) when too little time
   * would be left for another attempt, so the call ends on the last definite
   * answer rather than on one more request cut short by the deadline.
   */
  private async pause(retry: number, deadline: number): Promise<boolean> {
    const delay = backoffDelay(retry, this.backoff, this.random)
    if (deadline - performance.now() - delay < MIN_ATTEMPT_MS) return false
    await sleep(delay)
    return true
  }
}

function rebuild(error: ConnectionError | ProtocolError, unknownOutcome: boolean): ClientError {
  if (error instanceof ProtocolError) return new ProtocolError(error.endpoint, error.message, unknownOutcome, error.cause)
  return new ConnectionError(error.endpoint, error.message, error.sent, unknownOutcome, error.httpStatus, error.cause)
}

function validHint(addr: string | null | undefined): string | undefined {
  if (addr === undefined || addr === null || addr === '') return undefined
  try {
    return parseEndpoint(addr)
  } catch {
    return undefined
  }
}

function toBytes(value: Bytes): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

function toBuffer(value: Uint8Array | null | undefined): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0)
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}
