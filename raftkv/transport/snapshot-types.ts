// What the two ends of a snapshot transfer report, and what a receiver's handler provides.
import type { eraftpb } from '../../proto/generated/protos.js'
import type { TransportError } from './errors.js'

export type SnapshotTransferState = 'connecting' | 'sending' | 'receiving' | 'finishing' | 'done' | 'failed'

/** One transfer as /admin shows it (maps onto adminpb.SnapshotTransfer). */
export interface SnapshotProgress {
  transferId: string
  peerId: number
  direction: 'send' | 'receive'
  /** The snapshot's index and term (from the MsgSnapshot's metadata). */
  index: number
  term: number
  /** Sender: bytes the receiver acknowledged; receiver: bytes its handler took. */
  bytesDone: number
  /** 0 when unknown. */
  bytesTotal: number
  chunksDone: number
  /** 0 when unknown. */
  chunksTotal: number
  rateBytesPerSec: number
  /** Wall clock (Date.now()) when the transfer began. */
  startedAtMs: number
  state: SnapshotTransferState
  /** Why it failed (state 'failed'). */
  reason?: string
}

export type ProgressListener = (p: SnapshotProgress) => void

/** An incoming snapshot, as offered to the receiver's handler. */
export interface SnapshotOffer {
  transferId: string
  peerId: number
  /** The MsgSnapshot (metadata + RaftSnapshotData) the chunks belong to. */
  message: eraftpb.Message
  totalBytes: number
  totalChunks: number
}

/**
 * Where one accepted transfer's chunks go. Calls are sequential: write() for each chunk
 * in order (the next chunk waits for the promise: that is the backpressure), then
 * either finish() once, or abort() once.
 */
export interface SnapshotSink {
  write(chunk: Uint8Array): Promise<void>
  /** All chunks written: verify, then hand the MsgSnapshot on. A throw fails the transfer. */
  finish(): Promise<void>
  /** The transfer failed or was cancelled: discard what was written. */
  abort(err: TransportError): void | Promise<void>
}

/** Decides on an offer: returns its sink, or throws SnapshotRefusedError('refused', ...) to decline. */
export type SnapshotHandler = (offer: SnapshotOffer) => Promise<SnapshotSink>

export function snapshotIndexTerm(m: eraftpb.Message.$Properties): { index: number; term: number } {
  const md = m.snapshot?.metadata
  return { index: md?.index ?? 0, term: md?.term ?? 0 }
}
