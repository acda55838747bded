// One WebSocket to one endpoint's path (/kv or /admin), carrying many requests
// at once: each binary frame is one request, answered by a frame with the same id.
// A MuxConnection lives as long as its socket; once it is dead the owner opens a new one.
import WebSocket from 'ws'
import { ConnectionError, ProtocolError } from './errors.js'

export interface MuxCodec<Req, Res> {
  encode(request: Req): Uint8Array
  decode(frame: Uint8Array): Res
  idOf(response: Res): number
}

export interface MuxConnectionOptions<Req, Res> {
  endpoint: string
  path: string
  token: string
  codec: MuxCodec<Req, Res>
  /** Upper bound on the WebSocket opening handshake. */
  connectTimeoutMs: number
  /** Largest frame accepted from the server (bytes). */
  maxPayload?: number
}

interface Waiter<Res> {
  /** True once the frame has been handed to the socket. */
  sent: boolean
  /** Streams (watchStatus) keep their waiter until the socket closes. */
  stream: boolean
  onResponse(response: Res): void
  onFailure(error: ConnectionError | ProtocolError): void
}

export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024

export class MuxConnection<Req, Res> {
  readonly endpoint: string
  private readonly options: MuxConnectionOptions<Req, Res>
  private readonly ws: WebSocket
  private readonly opened: Promise<void>
  private readonly waiters = new Map<number, Waiter<Res>>()
  private deadError: ConnectionError | ProtocolError | undefined

  constructor(options: MuxConnectionOptions<Req, Res>) {
    this.options = options
    this.endpoint = options.endpoint
    this.ws = new WebSocket(`ws://${options.endpoint}${options.path}`, {
      headers: { authorization: `Bearer ${options.token}` },
      handshakeTimeout: Math.max(1, Math.ceil(options.connectTimeoutMs)),
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: false,
    })
    let httpStatus = 0
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.on('unexpected-response', (req, res) => {
        // The node refused the upgrade (401 for a wrong token): keep the status, drop the socket.
        httpStatus = res.statusCode ?? 0
        res.resume()
        req.destroy()
        this.fail(new ConnectionError(this.endpoint, `${this.endpoint} refused the WebSocket upgrade: HTTP ${httpStatus}`, false, false, httpStatus))
        reject(this.deadError)
      })
      this.ws.on('error', (err) => {
        this.fail(new ConnectionError(this.endpoint, `${this.endpoint}: ${err.message}`, false, false, httpStatus, err))
        reject(this.deadError)
      })
      this.ws.on('close', (code, reason) => {
        const why = reason.length > 0 ? `: ${reason.toString()}` : ''
        this.fail(new ConnectionError(this.endpoint, `connection to ${this.endpoint} closed (code ${code}${why})`, false, false, httpStatus))
        reject(this.deadError)
      })
    })
    // A caller that never waits for the opening must not cause an unhandled rejection.
    this.opened.catch(() => undefined)
    this.ws.on('message', (data, isBinary) => this.onFrame(data, isBinary))
  }

  /** True once the socket failed or closed: the owner should open a new connection. */
  get dead(): boolean {
    return this.deadError !== undefined
  }

  /**
   * Sends one request and resolves with the response of the same id. onSent
   * runs when the frame is handed to the socket: from then on the node may act on it.
   */
  async request(id: number, request: Req, onSent?: () => void): Promise<Res> {
    await this.opened
    return new Promise<Res>((resolve, reject) => {
      this.send(id, request, { sent: false, stream: false, onResponse: resolve, onFailure: reject })
      if (this.waiters.has(id)) onSent?.()
    })
  }

  /**
   * Sends one request whose answers keep coming (a stream) until the socket
   * closes; onFailure is called once, when it does (or when it cannot open).
   */
  subscribe(id: number, request: Req, onResponse: (response: Res) => void, onFailure: (error: ConnectionError | ProtocolError) => void): void {
    this.opened.then(
      () => this.send(id, request, { sent: false, stream: true, onResponse, onFailure }),
      (err: ConnectionError | ProtocolError) => onFailure(err),
    )
  }

  /** Stops waiting for an id (its deadline passed); a late answer is dropped. */
  forget(id: number): void {
    this.waiters.delete(id)
  }

  close(): void {
    this.fail(new ConnectionError(this.endpoint, `connection to ${this.endpoint} closed by the client`, false, false))
    this.ws.terminate()
  }

  private send(id: number, request: Req, waiter: Waiter<Res>): void {
    if (this.deadError !== undefined) {
      waiter.onFailure(this.deadError)
      return
    }
    if (this.ws.readyState !== WebSocket.OPEN) {
      // Closing already: nothing is written, so nothing can apply.
      waiter.onFailure(new ConnectionError(this.endpoint, `connection to ${this.endpoint} is closing`, false, false))
      return
    }
    let frame: Uint8Array
    try {
      frame = this.options.codec.encode(request)
    } catch (err) {
      waiter.onFailure(new ProtocolError(this.endpoint, `cannot encode the request: ${String(err)}`, false, err))
      return
    }
    this.waiters.set(id, waiter)
    waiter.sent = true
    this.ws.send(frame, { binary: true }, (err) => {
      if (err !== undefined && err !== null) this.fail(new ConnectionError(this.endpoint, `send to ${this.endpoint} failed: ${err.message}`, true, true, 0, err))
    })
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.protocolFailure('the server sent a text frame')
      return
    }
    const frame = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data
    let response: Res
    try {
      response = this.options.codec.decode(frame)
    } catch (err) {
      this.protocolFailure(`a frame from the server does not decode: ${String(err)}`, err)
      return
    }
    const id = this.options.codec.idOf(response)
    const waiter = this.waiters.get(id)
    if (waiter === undefined) return // an answer after its deadline: nobody waits any more
    if (!waiter.stream) this.waiters.delete(id)
    waiter.onResponse(response)
  }

  private protocolFailure(message: string, cause?: unknown): void {
    this.fail(new ProtocolError(this.endpoint, `${this.endpoint}: ${message}`, true, cause))
    this.ws.close(1002, 'protocol error')
  }

  /** Marks the socket dead and fails every waiter, once. */
  private fail(error: ConnectionError | ProtocolError): void {
    if (this.deadError !== undefined) return
    this.deadError = error
    const waiters = [...this.waiters.values()]
    this.waiters.clear()
    for (const waiter of waiters) {
      // What was already written may have reached the node: say so.
      waiter.onFailure(waiter.sent ? withSent(error) : error)
    }
  }
}

function withSent(error: ConnectionError | ProtocolError): ConnectionError | ProtocolError {
  if (error instanceof ProtocolError) return error
  if (error.sent) return error
  return new ConnectionError(error.endpoint, error.message, true, true, error.httpStatus, error.cause)
}
