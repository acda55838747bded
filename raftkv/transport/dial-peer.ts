// Dialing a peer's /raft or /snapshot: the token and our id go in the upgrade, and the
// node that answers must be the one we meant (x-raftkv-id), or the socket is closed.
import WebSocket from 'ws'
import { bearer, peerCredential } from './auth.js'
import { CloseCode, FROM_HEADER, ID_HEADER, PEER_PROOF_HEADER } from './constants.js'

export interface DialPeerOptions {
  addr: string
  path: '/raft' | '/snapshot'
  token: string
  /** Our node id, sent in x-raftkv-from. */
  fromId: number
  /** The node id that must answer. */
  expectId: number
  maxPayload: number
  handshakeTimeoutMs: number
}

export interface DialCallbacks {
  /** The handshake succeeded and the right node answered: the socket is open. */
  open(ws: WebSocket): void
  /**
   * The dial failed (once), with the bare reason; `wrongNode` when another node answers
   * at the address; `httpStatus` when the node refused the upgrade (403: we are not its peer).
   */
  failed(reason: string, wrongNode: boolean, httpStatus?: number): void
}

const zeroMask = (mask: Buffer): void => {
  mask.fill(0)
}

/** Starts a dial; returns the socket being opened, or undefined when it could not even start (failed() follows). */
export function dialPeer(o: DialPeerOptions, cb: DialCallbacks): WebSocket | undefined {
  let ws: WebSocket
  try {
    ws = new WebSocket(`ws://${o.addr}${o.path}`, {
      headers: { authorization: bearer(o.token), [FROM_HEADER]: String(o.fromId), [PEER_PROOF_HEADER]: peerCredential(o.token, o.fromId) },
      maxPayload: o.maxPayload,
      perMessageDeflate: false,
      handshakeTimeout: o.handshakeTimeoutMs,
      // Masking (RFC 6455 5.3) guards browsers behind caching proxies, not node-to-node links
      // whose ends authenticate each other; with ws in plain JS (no bufferutil) it was a third
      // of a snapshot transfer's CPU. An all-zero mask makes ws skip it at both ends.
      ...(o.path === '/snapshot' ? { generateMask: zeroMask } : {}),
    })
  } catch (err) {
    // Callbacks never run synchronously: the caller has its return value first.
    const reason = err instanceof Error ? err.message : String(err)
    queueMicrotask(() => cb.failed(reason, false))
    return undefined
  }
  let answeredBy: string | undefined
  let failure: string | undefined
  let httpStatus: number | undefined
  ws.on('unexpected-response', (_req, res) => {
    httpStatus = res.statusCode
    failure = `Unexpected server response: ${res.statusCode ?? 0}`
    res.resume()
    // terminate() aborts the handshake: ws emits error (ignored below) and close.
    ws.terminate()
  })
  let settled = false
  ws.on('upgrade', (res) => {
    const id = res.headers[ID_HEADER]
    answeredBy = typeof id === 'string' ? id : undefined
  })
  ws.on('error', (err) => {
    if (httpStatus === undefined) failure = err.message
  })
  ws.once('open', () => {
    settled = true
    if (answeredBy !== String(o.expectId)) {
      ws.close(CloseCode.PolicyViolation, `expected node ${o.expectId}`)
      cb.failed(`${o.addr} is served by node ${answeredBy ?? '(unknown)'}, not ${o.expectId}`, true)
      return
    }
    cb.open(ws)
  })
  ws.once('close', (code) => {
    if (settled) return // opened: whoever took the socket handles its close
    settled = true
    cb.failed(failure ?? `closed with ${code} during the handshake`, false, httpStatus)
  })
  return ws
}
