// The applier over a fake storage: one batch per run, own proposals recognised, conf changes
// and CompactLog, garbage skipped.
import { describe, expect, it } from 'vitest'
import { ConfChangeType, EntryType, encodeConfChange, type ConfChange, type ConfState } from '../raft/index.js'
import { Applier } from './applier.js'
import { AdminCmdType, encodeAdmin, encodeConfChangeEntry, encodeWrite } from './commands.js'
import { FakeStorage, silentLog } from './testing/fakes.js'

const b = (s: string): Uint8Array => new TextEncoder().encode(s)

function setup() {
  const storage = new FakeStorage([1, 2, 3])
  const confChanges: ConfChange[] = []
  const raft = { applyConfChange: (cc: ConfChange): ConfState => { confChanges.push(cc); return { nodes: [] } } }
  return { storage, confChanges, applier: new Applier(1, storage, raft, silentLog()) }
}

describe('Applier', () => {
  it('applies a run of writes in one batch with the last index, and names the proposals this node made', () => {
    const { storage, applier } = setup()
    const result = applier.apply([
      { index: 1, term: 1 }, // a leader's no-op
      { index: 2, term: 1, data: encodeWrite({ peerId: 1, proposalId: 7 }, { kind: 'put', key: b('a'), value: b('1') }) },
      { index: 3, term: 1, data: encodeWrite({ peerId: 2, proposalId: 7 }, { kind: 'put', key: b('b'), value: b('2') }) },
      { index: 4, term: 1, data: encodeWrite({ peerId: 1, proposalId: 8 }, { kind: 'delete', key: b('a') }) },
    ])
    expect(storage.journal).toEqual(['apply 4'])
    expect(storage.get(b('a'))).toBeUndefined()
    expect(storage.get(b('b'))?.toString()).toBe('2')
    expect(result.applied).toEqual([
      { index: 1, term: 1 }, { index: 2, term: 1, proposalId: 7 }, { index: 3, term: 1 }, { index: 4, term: 1, proposalId: 8 },
    ])
  })

  it('skips an entry that does not decode, and still advances past it', () => {
    const { storage, applier } = setup()
    applier.apply([{ index: 1, term: 1, data: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }])
    expect(storage.appliedIndex).toBe(1)
    expect(storage.data.size).toBe(0)
  })

  it('applies a conf change to raft and to the region, with the address from its context', () => {
    const { storage, applier, confChanges } = setup()
    const cc = encodeConfChangeEntry({ peerId: 1, proposalId: 3 }, ConfChangeType.AddNode, { id: 4, addr: '127.0.0.1:7004' })
    const result = applier.apply([{ index: 5, term: 2, entryType: EntryType.EntryConfChange, data: encodeConfChange(cc) }])
    expect(confChanges.map((c) => c.nodeId)).toEqual([4])
    expect(result.region?.peers.map((p) => [p.id, p.addr])).toEqual([[1, '127.0.0.1:7001'], [2, '127.0.0.1:7002'], [3, '127.0.0.1:7003'], [4, '127.0.0.1:7004']])
    expect(result.region?.confVer).toBe(2)
    expect(storage.regionState.region.peers).toHaveLength(4)
    expect(result.applied).toEqual([{ index: 5, term: 2, proposalId: 3 }])
  })

  it('truncates the log on CompactLog only forward and never past the entry itself', () => {
    const { storage, applier } = setup()
    const compact = (index: number, compactIndex: number) => ({
      index, term: 1, data: encodeAdmin({ peerId: 1, proposalId: 0 }, { cmdType: AdminCmdType.CompactLog, compactLog: { compactIndex, compactTerm: 1 } }),
    })
    applier.apply([compact(10, 8)])
    expect(storage.truncatedIndex).toBe(8)
    applier.apply([compact(11, 5)])
    expect(storage.truncatedIndex).toBe(8)
    applier.apply([compact(12, 20)])
    expect(storage.truncatedIndex).toBe(8)
  })
})
