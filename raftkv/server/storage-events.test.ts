// Storage events that come before the services exist (during PeerStorage.open) are not lost.
import { describe, expect, it } from 'vitest'
import type { StorageEvent } from '../storage/index.js'
import { StorageEventRelay } from './storage-events.js'
import { silentLog } from './testing/fakes.js'

describe('StorageEventRelay', () => {
  it('keeps the events of a resumed snapshot apply that open() emits, and hands them over in order on attach', () => {
    const relay = new StorageEventRelay(silentLog())
    const during: StorageEvent[] = [
      { type: 'snapshot-applying', index: 20, term: 3, snapshotId: 's', dataSize: 100, chunkCount: 1, resumed: true },
      { type: 'snapshot-apply-progress', index: 20, term: 3, chunks: 1, bytes: 100 },
      { type: 'snapshot-applied', index: 20, term: 3, kvCount: 5, ms: 3 },
    ]
    for (const e of during) relay.listener(e)
    const seen: StorageEvent[] = []
    relay.attach((e) => seen.push(e))
    expect(seen).toEqual(during)
    const later: StorageEvent = { type: 'log-gc', deletedBelow: 10 }
    relay.listener(later)
    expect(seen).toEqual([...during, later])
  })
})
