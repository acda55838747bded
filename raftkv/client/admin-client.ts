// AdminClient: one node's /admin — status (once or as a stream), fault
// injection, leader transfer and membership changes. Admin commands go to the
// node named, never elsewhere, and are tried once: a caller that wants retries
// (the Supervisor) decides itself.
import { adminpb } from '../../proto/generated/protos.js'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js'
import { ConnectionPool } from './connection-pool.js'
import { parseEndpoint } from './endpoint.js'
import { nodeStatusInfo, faultsInfo, type FaultsInfo, type NodeStatusInfo } from './admin-status.js'
import { AdminCommandError, adminErrorName, ClientClosedError, ClientError, ConnectionError, DeadlineExceededError, ProtocolError } from './errors.js'
import { MuxConnection, type MuxCodec } from './mux-connection.js'

export interface AdminClientOptions {
  /** host:port of the node. */
  endpoint: string
  token: string
  /** Deadline of one command (default 3000). */
  timeoutMs?: number
  /** Reconnection backoff of watchStatus. */
  backoff?: BackoffOptions
}

export type PeerChange = 'add' | 'remove'

type AdminBody = Omit<adminpb.AdminRequest.$Properties, 'id'>

const adminCodec: MuxCodec<adminpb.AdminRequest.$Properties, adminpb.AdminResponse> = {
  encode: (request) => adminpb.AdminRequest.encode(request).finish(),
  decode: (frame) => adminpb.AdminResponse.decode(frame),
  idOf: (response) => response.id,
}

export class AdminClient {
  readonly endpoint: string
  private readonly token: string
  private readonly timeoutMs: number
  private readonly backoff: BackoffOptions
  private readonly pool: ConnectionPool<adminpb.AdminRequest.$Properties, adminpb.AdminResponse>
  private readonly watchStops = new Set<() => void>()
  private nextId = 1
  private closed = false

  constructor(options: AdminClientOptions) {
    this.endpoint = parseEndpoint(options.endpoint)
    this.token = options.token
    this.timeoutMs = options.timeoutMs ?? 3000
    this.backoff = options.backoff ?? { ...DEFAULT_BACKOFF, capMs: 2000 }
    this.pool = new ConnectionPool({ path: '/admin', token: options.token, codec: adminCodec })
  }

  async status(): Promise<NodeStatusInfo> {
    const response = await this.command({ status: {} }, 'status')
    return nodeStatusInfo(response.status!)
  }

  /** Sets the node's fault filters (replacing the previous ones); resolves with those in force. */
  async setFaults(faults: Partial<FaultsInfo>): Promise<FaultsInfo> {
    const response = await this.command({ setFaults: { faults } }, 'faults')
    return faultsInfo(response.faults)
  }

  /** Asks the node (normally the leader) to hand leadership to peer. */
  async transferLeader(peer: number): Promise<void> {
    await this.command({ transferLeader: { peer } }, undefined)
  }

  /** Proposes adding (with its host:port) or removing a peer. */
  async changePeer(change: PeerChange, peer: number, addr = ''): Promise<void> {
    await this.command({ changePeer: { change, peer, addr } }, undefined)
  }

  /**
   * Streams the node's status every intervalMs on a socket of its own,
   * reconnecting with backoff when it drops. Returns the function that stops it.
   */
  watchStatus(intervalMs: number, onStatus: (status: NodeStatusInfo) => void, onError?: (error: ClientError) => void): () => void {
    let stopped = false
    let connection: MuxConnection<adminpb.AdminRequest.$Properties, adminpb.AdminResponse> | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let failures = 0
    const start = (): void => {
      if (stopped) return
      const id = this.nextId++
      const current = new MuxConnection({ endpoint: this.endpoint, path: '/admin', token: this.token, codec: adminCodec, connectTimeoutMs: this.timeoutMs })
      connection = current
      current.subscribe(id, { id, watchStatus: { intervalMs } }, (response) => {
        if (stopped) return
        failures = 0
        const error = responseError(this.endpoint, response, 'status')
        if (error !== undefined) onError?.(error)
        else onStatus(nodeStatusInfo(response.status!))
      }, (error) => {
        if (stopped) return
        onError?.(error)
        timer = setTimeout(start, Math.max(backoffDelay(failures++, this.backoff), this.backoff.baseMs))
      })
    }
    const stop = (): void => {
      if (stopped) return
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      connection?.close()
      this.watchStops.delete(stop)
    }
    this.watchStops.add(stop)
    start()
    return stop
  }

  /** Closes the command socket and stops every watch. */
  async close(): Promise<void> {
    this.closed = true
    for (const stop of [...this.watchStops]) stop()
    this.pool.closeAll()
  }

  private async command(body: AdminBody, expect: 'status' | 'faults' | undefined): Promise<adminpb.AdminResponse> {
    if (this.closed) throw new ClientClosedError(false)
    const id = this.nextId++
    const connection = this.pool.get(this.endpoint, this.timeoutMs)
    let sent = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        connection.forget(id)
        reject(new DeadlineExceededError(this.timeoutMs, 1, sent, undefined))
      }, this.timeoutMs)
    })
    try {
      const response = await Promise.race([connection.request(id, { ...body, id }, () => { sent = true }), deadline])
      const error = responseError(this.endpoint, response, expect)
      if (error !== undefined) throw error
      return response
    } catch (error) {
      if (error instanceof ConnectionError && (error.httpStatus === 401 || error.httpStatus === 403)) {
        throw new AdminCommandError(this.endpoint, 'UNAUTHORIZED', `${this.endpoint} refused the token (HTTP ${error.httpStatus})`)
      }
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
}

/** The error an AdminResponse carries, or a ProtocolError if its result is not the one expected. */
function responseError(endpoint: string, response: adminpb.AdminResponse, expect: 'status' | 'faults' | undefined): ClientError | undefined {
  if (response.errorCode !== adminpb.AdminErrorCode.OK) return new AdminCommandError(endpoint, adminErrorName(response.errorCode), response.errorMessage)
  if (expect !== undefined && response.result !== expect) {
    return new ProtocolError(endpoint, `${endpoint} answered with ${response.result ?? 'no result'} where ${expect} was expected`, false)
  }
  return undefined
}
