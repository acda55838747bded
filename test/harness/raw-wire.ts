// Speaking the node's protocols by hand, as an attacker holding the cluster token would:
// raw /admin and /raft sockets, and protobuf fields encoded from BigInts (numbers past
// 2^53 that the generated code could not even represent).
import WebSocket from 'ws'
import { adminpb, type eraftpb } from '../../proto/generated/protos.js'
import { encodeRaftFrames } from '../../raftkv/transport/raft-codec.js'
import { FROM_HEADER, PEER_PROOF_HEADER, peerCredential } from '../../raftkv/transport/index.js'

export function varint(v: bigint): number[] {
  const out: number[] = []
  let x = v
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80)
    x >>= 7n
  }
  out.push(Number(x))
  return out
}

export function fieldVarint(field: number, v: bigint): number[] {
  return [...varint(BigInt(field << 3)), ...varint(v)]
}

export function fieldBytes(field: number, bytes: Uint8Array | number[]): number[] {
  const b = [...bytes]
  return [...varint(BigInt((field << 3) | 2)), ...varint(BigInt(b.length)), ...b]
}

export const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8')

/** An AdminRequest{id, changePeer{change, peer, addr}} with exact 64-bit values. */
export function changePeerFrame(id: bigint, change: string, peer: bigint, addr: string): Uint8Array {
  const body = [...fieldBytes(1, utf8(change)), ...fieldVarint(2, peer), ...fieldBytes(3, utf8(addr))]
  return Uint8Array.from([...fieldVarint(1, id), ...fieldBytes(6, body)])
}

/** An open socket and every frame it received so far (decoded by the caller). */
export interface RawSocket {
  ws: WebSocket
  frames: Buffer[]
  closed: Promise<{ code: number; reason: string }>
}

/** Opens a WebSocket; rejects with `HTTP <status>` when the upgrade is refused. */
export function openRaw(addr: string, path: string, headers: Record<string, string>): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${addr}${path}`, { headers })
    const frames: Buffer[] = []
    ws.on('message', (d: Buffer) => frames.push(d))
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })))
    ws.once('open', () => resolve({ ws, frames, closed }))
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode ?? 0}`))
      ws.terminate()
    })
    ws.once('error', (err) => reject(err))
  })
}

export function adminSocket(addr: string, token: string): Promise<RawSocket> {
  return openRaw(addr, '/admin', { authorization: `Bearer ${token}` })
}

/** Waits (bounded) until the socket holds n frames; returns them decoded as AdminResponses. */
export async function adminResponses(s: RawSocket, n: number, timeoutMs = 15_000): Promise<adminpb.AdminResponse[]> {
  const deadline = Date.now() + timeoutMs
  while (s.frames.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  return s.frames.map((f) => adminpb.AdminResponse.decode(f))
}

/** A /raft socket to `addr` claiming to be node `from`, with the credential the token yields (or `proof`). */
export function raftSocket(addr: string, token: string, from: number, proof: string | null = peerCredential(token, from)): Promise<RawSocket> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, [FROM_HEADER]: String(from) }
  if (proof !== null) headers[PEER_PROOF_HEADER] = proof
  return openRaw(addr, '/raft', headers)
}

/** One RaftBatch frame carrying msgs, framed as from -> to. */
export function raftFrame(from: number, to: number, msgs: eraftpb.Message.$Properties[]): Uint8Array {
  return encodeRaftFrames(1, from, to, msgs, 16 * 1024 * 1024).frames[0]!.bytes
}
