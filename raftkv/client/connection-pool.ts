// At most one live MuxConnection per endpoint, opened on first use and
// replaced once its socket has died.
import { MuxConnection, type MuxCodec } from './mux-connection.js'

export interface ConnectionPoolOptions<Req, Res> {
  path: string
  token: string
  codec: MuxCodec<Req, Res>
  maxPayload?: number
}

export class ConnectionPool<Req, Res> {
  private readonly options: ConnectionPoolOptions<Req, Res>
  private readonly connections = new Map<string, MuxConnection<Req, Res>>()

  constructor(options: ConnectionPoolOptions<Req, Res>) {
    this.options = options
  }

  /** The live connection to endpoint, opening one (bounded by connectTimeoutMs) if needed. */
  get(endpoint: string, connectTimeoutMs: number): MuxConnection<Req, Res> {
    const existing = this.connections.get(endpoint)
    if (existing !== undefined && !existing.dead) return existing
    const connection = new MuxConnection<Req, Res>({ ...this.options, endpoint, connectTimeoutMs })
    this.connections.set(endpoint, connection)
    return connection
  }

  closeAll(): void {
    for (const connection of this.connections.values()) connection.close()
    this.connections.clear()
  }
}
