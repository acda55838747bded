// What PeerStorage reports as it works in the background (for logs and /admin status).
import type { SwapStep } from './snapshot-apply.js'
import type { GenerateStep } from './snapshot-generator.js'

export type StorageEvent =
  | { type: 'snapshot-generating'; index: number; term: number }
  /**
   * pauseMs: the engine was closed this long (to copy it); checkMs: the copy opened and
   * checked; listMs: its files listed with their CRC-32s; ms: from the start of the pause
   * to the snapshot being ready to send.
   */
  | {
    type: 'snapshot-generated'; index: number; term: number; snapshotId: string; dataSize: number; kvCount: number; chunkCount: number
    fileCount: number; pauseMs: number; checkMs: number; listMs: number; ms: number
  }
  /** A step of the generation's pause (the engine closed; its copy made), as it is done. */
  | { type: 'snapshot-generate-step'; index: number; term: number; step: GenerateStep }
  | { type: 'snapshot-generate-failed'; index: number; term: number; error: Error }
  | { type: 'snapshot-applying'; index: number; term: number; snapshotId: string; dataSize: number; fileCount: number }
  /** A step of swapping the received database in (snapshot-apply.ts), as it is done. */
  | { type: 'snapshot-apply-step'; index: number; term: number; step: SwapStep }
  /** open() found a swap a crash interrupted, and undid it or finished it. */
  | { type: 'snapshot-swap-recovered'; outcome: 'undone' | 'finished' }
  | { type: 'snapshot-applied'; index: number; term: number; kvCount: number; ms: number }
  | { type: 'log-gc'; deletedBelow: number }
  | { type: 'log-gc-failed'; error: Error }

export type StorageEventListener = (e: StorageEvent) => void
