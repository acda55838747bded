// Storage events that come before the services exist (during PeerStorage.open) are not lost.
import { describe, expect, it } from 'vitest'
import type { StorageEvent } from '../storage/index.js'
import { StorageEventRelay } from './storage-events.js'
import { silentLog } from './testing/fakes.js'

describe('StorageEventRelay', () => {
  it('keeps the events that open() emits (an interrupted snapshot swap it recovered), and hands them over in order on attach', () => {
    const relay = new StorageEventRelay(silentLog())
    const during: StorageEvent[] = [
      { type: 'snapshot-swap-recovered', outcome: 'undone' },
      { type: 'log-gc', deletedBelow: 4 },
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
