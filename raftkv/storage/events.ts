// What PeerStorage reports as it works in the background (for logs and /admin status).

export type StorageEvent =
  | { type: 'snapshot-generating'; index: number; term: number }
  | { type: 'snapshot-generated'; index: number; term: number; snapshotId: string; dataSize: number; kvCount: number; chunkCount: number; ms: number }
  | { type: 'snapshot-generate-failed'; index: number; term: number; error: Error }
  | { type: 'snapshot-applying'; index: number; term: number; snapshotId: string; dataSize: number; chunkCount: number; resumed: boolean }
  | { type: 'snapshot-apply-progress'; index: number; term: number; chunks: number; bytes: number }
  | { type: 'snapshot-applied'; index: number; term: number; kvCount: number; ms: number }
  | { type: 'log-gc'; deletedBelow: number }
  | { type: 'log-gc-failed'; error: Error }

export type StorageEventListener = (e: StorageEvent) => void
