import { describe, expect, it } from 'vitest'
import {
  allRaftLogRange, applyStateKey, DATA_RANGE, dataKey, dataRange, decodeDataKey, decodeRaftLogKey, raftLogKey, raftLogRange,
  raftStateKey, regionStateKey,
} from './keys.js'

const hex = (b: Buffer): string => b.toString('hex')

describe('key layout', () => {
  it('encodes the keys of ARCHITECTURE.md for region 1', () => {
    expect(hex(raftLogKey(1, 5))).toBe('0102' + '0000000000000001' + '01' + '0000000000000005')
    expect(hex(raftStateKey(1))).toBe('0102' + '0000000000000001' + '02')
    expect(hex(applyStateKey(1))).toBe('0102' + '0000000000000001' + '03')
    expect(hex(regionStateKey(1))).toBe('0103' + '0000000000000001' + '01')
    expect(hex(dataKey(Buffer.from('ab')))).toBe('7a6162')
  })

  it('writes indexes above 2^32 big-endian, so log keys sort by index', () => {
    const idx = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1]
    const keys = idx.map((i) => raftLogKey(1, i))
    const sorted = [...keys].sort(Buffer.compare)
    expect(sorted).toEqual(keys)
    for (const i of idx) expect(decodeRaftLogKey(raftLogKey(1, i), 1)).toBe(i)
  })

  it('rejects indexes that are not u64-safe integers', () => {
    expect(() => raftLogKey(1, -1)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    expect(() => raftLogKey(1, 1.5)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
  })

  it('refuses to decode a key that is not a log key of the region', () => {
    expect(() => decodeRaftLogKey(raftStateKey(1), 1)).toThrow(expect.objectContaining({ code: 'StorageCorrupted' }))
    expect(() => decodeRaftLogKey(raftLogKey(2, 1), 1)).toThrow(expect.objectContaining({ code: 'StorageCorrupted' }))
    expect(() => decodeDataKey(raftStateKey(1))).toThrow(expect.objectContaining({ code: 'StorageCorrupted' }))
  })

  it('orders local keys before data keys, and the log range inside the raft prefix', () => {
    const local = [raftLogKey(1, 0), raftLogKey(1, 2 ** 40), raftStateKey(1), applyStateKey(1), regionStateKey(1)]
    const sorted = [...local].sort(Buffer.compare)
    expect(sorted).toEqual(local)
    for (const k of local) expect(Buffer.compare(k, DATA_RANGE.start)).toBeLessThan(0)
    const all = allRaftLogRange(1)
    expect(Buffer.compare(all.start, raftLogKey(1, 0))).toBeLessThanOrEqual(0)
    expect(Buffer.compare(raftLogKey(1, 2 ** 53 - 1), all.end)).toBeLessThan(0)
    expect(Buffer.compare(all.end, raftStateKey(1))).toBeLessThanOrEqual(0)
    const r = raftLogRange(1, 3, 7)
    expect(decodeRaftLogKey(r.start, 1)).toBe(3)
    expect(decodeRaftLogKey(r.end, 1)).toBe(7)
  })

  it('maps user keys to data keys and back, ranges included', () => {
    const k = Buffer.from([0x00, 0xff, 0x10])
    expect(decodeDataKey(dataKey(k))).toEqual(k)
    expect(decodeDataKey(dataKey(Buffer.alloc(0)))).toEqual(Buffer.alloc(0))
    const open = dataRange(Buffer.from('a'), Buffer.alloc(0))
    expect(open.end).toEqual(DATA_RANGE.end)
    expect(Buffer.compare(dataKey(Buffer.from([0xff, 0xff, 0xff])), open.end)).toBeLessThan(0)
    const closed = dataRange(Buffer.from('a'), Buffer.from('b'))
    expect(closed).toEqual({ start: Buffer.from('za'), end: Buffer.from('zb') })
  })
})
