// Storage errors: one base class, a literal code per failure. Callers branch on `code`.

export type StorageErrorCode =
  | 'StorageClosed'           // the engine was closed
  | 'StorageCorrupted'        // persisted state contradicts itself (gap in the log, undecodable value)
  | 'StorageBusy'             // a write was started while a snapshot apply is in progress
  | 'StorageBadArgument'      // a caller passed something the storage cannot accept
  | 'SnapshotApplying'        // user data is being replaced by a snapshot: no reads until done
  | 'SnapshotMissing'         // the received snapshot files for an apply are not there
  | 'SnapshotCorrupted'       // a received chunk or snapshot fails its checks
  | 'SnapshotReceiveState'    // receiver misuse: chunk out of order, write after finish/abort

export class StorageError extends Error {
  readonly code: StorageErrorCode
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageError'
    this.code = code
  }
}

export const isStorageError = (e: unknown, code?: StorageErrorCode): e is StorageError =>
  e instanceof StorageError && (code === undefined || e.code === code)
