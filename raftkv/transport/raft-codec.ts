// The /raft frame: one raft_serverpb.RaftBatch of RaftMessages (each wrapping an
// eraftpb.Message). Frames are built per message so a batch that would exceed the
// frame limit can be split, and a message that alone exceeds it can be refused.
import { eraftpb, raft_serverpb } from '../../proto/generated/protos.js'
import { BadFrameError } from './errors.js'
import { varintLength, writeVarint } from './varint.js'

/** RaftBatch field 1 (msgs), wire type 2 (length-delimited). */
const MSGS_TAG = 0x0a

export interface EncodedFrame {
  bytes: Uint8Array
  /** Number of raft messages in the frame. */
  count: number
}

export interface EncodeResult {
  frames: EncodedFrame[]
  /** Messages that alone would exceed maxFrameBytes (never sent). */
  tooLarge: eraftpb.Message.$Properties[]
}

function buildFrame(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let pos = 0
  for (const p of parts) {
    out[pos++] = MSGS_TAG
    pos = writeVarint(out, pos, p.length)
    out.set(p, pos)
    pos += p.length
  }
  return out
}

/**
 * Encodes the messages of one send() call to one peer: a single frame unless that
 * frame would exceed maxFrameBytes, in which case it is split in order.
 */
export function encodeRaftFrames(
  regionId: number,
  from: number,
  to: number,
  msgs: readonly eraftpb.Message.$Properties[],
  maxFrameBytes: number,
): EncodeResult {
  const frames: EncodedFrame[] = []
  const tooLarge: eraftpb.Message.$Properties[] = []
  let parts: Uint8Array[] = []
  let size = 0
  for (const message of msgs) {
    const enc = raft_serverpb.RaftMessage.encode({ regionId, fromPeer: from, toPeer: to, message }).finish()
    const partSize = 1 + varintLength(enc.length) + enc.length
    if (partSize > maxFrameBytes) {
      tooLarge.push(message)
      continue
    }
    if (size + partSize > maxFrameBytes) {
      frames.push({ bytes: buildFrame(parts, size), count: parts.length })
      parts = []
      size = 0
    }
    parts.push(enc)
    size += partSize
  }
  if (parts.length > 0) frames.push({ bytes: buildFrame(parts, size), count: parts.length })
  return { frames, tooLarge }
}

export interface DecodedRaftMessage {
  regionId: number
  fromPeer: number
  toPeer: number
  message: eraftpb.Message
}

/** Decodes a /raft frame; throws BadFrameError when it is not a RaftBatch of messages. */
export function decodeRaftFrame(bytes: Uint8Array): DecodedRaftMessage[] {
  let batch: raft_serverpb.RaftBatch
  try {
    batch = raft_serverpb.RaftBatch.decode(bytes)
  } catch (err) {
    throw new BadFrameError(`not a RaftBatch: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  return batch.msgs.map((m, i) => {
    if (!m.message) throw new BadFrameError(`RaftBatch message ${i} carries no eraftpb.Message`)
    return {
      regionId: m.regionId ?? 0,
      fromPeer: m.fromPeer ?? 0,
      toPeer: m.toPeer ?? 0,
      message: m.message as eraftpb.Message,
    }
  })
}
