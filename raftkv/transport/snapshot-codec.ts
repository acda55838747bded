// Frames of /snapshot (proto/snappb.proto) as discriminated unions, and the chunk checksum.
import { crc32 } from 'node:zlib'
import { snappb } from '../../proto/generated/protos.js'
import { BadFrameError } from './errors.js'
import { varintLength, writeVarint } from './varint.js'

export type SnapshotRequestFrame =
  | { kind: 'header'; header: snappb.Header }
  | { kind: 'chunk'; chunk: snappb.Chunk }
  | { kind: 'end'; end: snappb.End }
  | { kind: 'abort'; abort: snappb.Abort }
  | { kind: 'keepAlive' }

export type SnapshotResponseFrame =
  | { kind: 'accept'; accept: snappb.Accept }
  | { kind: 'ack'; ack: snappb.Ack }
  | { kind: 'done' }
  | { kind: 'failure'; failure: snappb.Failure }
  | { kind: 'keepAlive' }

/** CRC-32 (IEEE) of one chunk's data. */
export function chunkChecksum(data: Uint8Array): number {
  return crc32(data) >>> 0
}

export function encodeRequest(frame: snappb.SnapshotRequest.$Properties): Uint8Array {
  return snappb.SnapshotRequest.encode(frame).finish()
}

/** Bytes of the SnapshotRequest encodeChunkRequest makes for this chunk. */
export function chunkRequestLength(c: { seq: number; offset: number; data: Uint8Array; crc32: number }): number {
  const inner = chunkInnerLength(c)
  return 1 + varintLength(inner) + inner
}

function chunkInnerLength(c: { seq: number; offset: number; data: Uint8Array; crc32: number }): number {
  return 1 + varintLength(c.seq) + 1 + varintLength(c.offset) + 1 + varintLength(c.data.byteLength) + c.data.byteLength + 1 + varintLength(c.crc32)
}

/**
 * A SnapshotRequest carrying one Chunk, encoded by hand (the same bytes protobufjs would
 * decode; chunks are the bulk of a transfer and protobufjs's writer copied each twice).
 * With `into` (at least chunkRequestLength bytes) the frame is written there and a view
 * of it returned: a sender reusing its frame buffers spares a fresh megabyte per chunk,
 * whose page faults cost more than the copy itself.
 */
export function encodeChunkRequest(c: { seq: number; offset: number; data: Uint8Array; crc32: number }, into?: Buffer): Buffer {
  const inner = chunkInnerLength(c)
  const length = 1 + varintLength(inner) + inner
  if (into && into.length < length) throw new RangeError(`a ${length}-byte chunk frame does not fit ${into.length} bytes`)
  const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length)
  let pos = 0
  buf[pos++] = 0x12 // SnapshotRequest.chunk = 2, length-delimited
  pos = writeVarint(buf, pos, inner)
  buf[pos++] = 0x08 // seq = 1
  pos = writeVarint(buf, pos, c.seq)
  buf[pos++] = 0x10 // offset = 2
  pos = writeVarint(buf, pos, c.offset)
  buf[pos++] = 0x1a // data = 3
  pos = writeVarint(buf, pos, c.data.byteLength)
  buf.set(c.data, pos)
  pos += c.data.byteLength
  buf[pos++] = 0x20 // crc32 = 4
  writeVarint(buf, pos, c.crc32)
  return buf
}

export function encodeResponse(frame: snappb.SnapshotResponse.$Properties): Uint8Array {
  return snappb.SnapshotResponse.encode(frame).finish()
}

function decodeFailed(what: string, err: unknown): BadFrameError {
  return new BadFrameError(`not a ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
}

export function decodeRequest(bytes: Uint8Array): SnapshotRequestFrame {
  let r: snappb.SnapshotRequest
  try {
    r = snappb.SnapshotRequest.decode(bytes)
  } catch (err) {
    throw decodeFailed('snappb.SnapshotRequest', err)
  }
  switch (r.kind) {
    case 'header':
      if (!r.header?.message) throw new BadFrameError('snapshot header without its MsgSnapshot')
      return { kind: 'header', header: r.header as snappb.Header }
    case 'chunk':
      return { kind: 'chunk', chunk: r.chunk as snappb.Chunk }
    case 'end':
      return { kind: 'end', end: r.end as snappb.End }
    case 'abort':
      return { kind: 'abort', abort: r.abort as snappb.Abort }
    case 'keepAlive':
      return { kind: 'keepAlive' }
    default:
      throw new BadFrameError('snappb.SnapshotRequest with no known kind')
  }
}

export function decodeResponse(bytes: Uint8Array): SnapshotResponseFrame {
  let r: snappb.SnapshotResponse
  try {
    r = snappb.SnapshotResponse.decode(bytes)
  } catch (err) {
    throw decodeFailed('snappb.SnapshotResponse', err)
  }
  switch (r.kind) {
    case 'accept':
      return { kind: 'accept', accept: r.accept as snappb.Accept }
    case 'ack':
      return { kind: 'ack', ack: r.ack as snappb.Ack }
    case 'done':
      return { kind: 'done' }
    case 'failure':
      return { kind: 'failure', failure: r.failure as snappb.Failure }
    case 'keepAlive':
      return { kind: 'keepAlive' }
    default:
      throw new BadFrameError('snappb.SnapshotResponse with no known kind')
  }
}
