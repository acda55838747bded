// Web mode: one HTTP server on 127.0.0.1 for the dashboard (a static folder), the export
// bundle download, and the control API as JSON-RPC 2.0 over a WebSocket at
// /control?token=T (control-api.md, "Web mode wire"). The session token is the page's
// own (it is in the URL's fragment); the cluster's token never crosses this server.
// Every request must name this server in Host (no DNS rebinding); an upgrade without the
// token is refused with 401, one from a foreign Origin with 403.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { basename } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { ControlError } from '../control/errors.js'
import type { ControlApi } from '../control/types.js'
import { Redactor } from '../export/index.js'
import { ControlSession } from './control-session.js'
import { securityHeaders, serveStatic } from './static-files.js'

export interface WebServerOptions {
  api: ControlApi
  /** 0 (default): a free port. */
  port?: number
  /** The built dashboard (out/renderer); without it a placeholder page is served. */
  staticDir?: string
  /** Default: a fresh random token. */
  sessionToken?: string
  /** Largest WebSocket frame accepted (default 64 MiB: checkHistory takes whole histories). */
  maxFrameBytes?: number
  /** A connection whose unsent notifications exceed this is closed (default 32 MiB). */
  maxBufferedBytes?: number
  onError?: (what: string, error: unknown) => void
  /**
   * Strings the page must never see (the cluster's token): replaced in every frame sent,
   * as a second line of defence (no method is meant to return them).
   */
  secrets?: () => readonly (string | undefined)[]
}

export interface WebServer {
  port: number
  token: string
  /** The page to open: http://127.0.0.1:P/#token=T */
  url: string
  /** ws://127.0.0.1:P/control */
  controlUrl: string
  /** Open WebSocket connections. */
  connections(): number
  close(): Promise<void>
}

const HOSTS = ['127.0.0.1', 'localhost']

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.sessionToken ?? randomBytes(24).toString('base64url')
  const maxBuffered = options.maxBufferedBytes ?? 32 * 1024 * 1024
  const onError = options.onError ?? (() => {})
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 64 * 1024 * 1024, perMessageDeflate: false })
  let port = 0
  const server: Server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      onError('http', err)
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ error: 'internal error' }))
    })
  })

  const sameHost = (req: IncomingMessage): boolean => HOSTS.some((h) => req.headers.host === `${h}:${port}`)
  const tokenOk = (given: string | null): boolean => {
    if (given === null) return false
    const a = Buffer.from(given)
    const b = Buffer.from(token)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res)
    const url = new URL(req.url ?? '/', 'http://x')
    if (!sameHost(req)) return plain(res, 421, 'wrong host')
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed')
    if (url.pathname === '/export') return exportDownload(url, res)
    if (!serveStatic(options.staticDir, url.pathname, res)) plain(res, 404, 'not found')
  }

  async function exportDownload(url: URL, res: ServerResponse): Promise<void> {
    if (!tokenOk(url.searchParams.get('token'))) return plain(res, 401, 'session token required')
    let path: string
    try {
      path = (await options.api.exportBundle()).path
    } catch (err) {
      if (!(err instanceof ControlError)) throw err
      res.writeHead(err.code === 'NO_CLUSTER' ? 409 : 500, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ error: err.toData() }))
      return
    }
    res.writeHead(200, {
      'Content-Type': 'application/gzip',
      'Content-Length': String(statSync(path).size),
      'Content-Disposition': `attachment; filename="${basename(path).replace(/[^\w.-]/g, '_')}"`,
    })
    createReadStream(path).pipe(res)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/control') return refuse(socket, 404, 'Not Found')
    if (!sameHost(req)) return refuse(socket, 421, 'Misdirected Request')
    if (!tokenOk(url.searchParams.get('token'))) return refuse(socket, 401, 'Unauthorized')
    const origin = req.headers.origin
    if (origin !== undefined && !HOSTS.some((h) => origin === `http://${h}:${port}`)) return refuse(socket, 403, 'Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws))
  })

  function connect(ws: WebSocket): void {
    const session = new ControlSession({
      api: options.api,
      send: (text) => {
        if (ws.readyState !== ws.OPEN) return
        // A reader that does not keep up is let go rather than buffered without end.
        if (ws.bufferedAmount > maxBuffered) return ws.close(1008, 'too slow: notifications piled up')
        const secrets = options.secrets?.().filter((s): s is string => s !== undefined && s !== '') ?? []
        ws.send(secrets.length === 0 ? text : new Redactor(secrets).text(text))
      },
      onInternalError: (method, err) => onError(`control ${method}`, err),
    })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : rawText(data)
      void session.receive(text).catch((err: unknown) => onError('control receive', err))
    })
    ws.on('close', () => session.close())
    ws.on('error', () => ws.terminate())
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new ControlError('PORT_IN_USE', `port ${options.port} is in use`) : err)
    })
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  port = typeof address === 'object' && address !== null ? address.port : 0
  server.on('error', (err) => onError('server', err))

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    controlUrl: `ws://127.0.0.1:${port}/control`,
    connections: () => wss.clients.size,
    async close(): Promise<void> {
      for (const ws of wss.clients) ws.close(1001, 'server closing')
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        setTimeout(() => {
          for (const ws of wss.clients) ws.terminate()
          server.closeAllConnections()
        }, 1000).unref()
      })
      wss.close()
    },
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`${text}\n`)
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`)
}

/** A text frame's content; a binary frame is not JSON-RPC and is answered as a parse error. */
function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
