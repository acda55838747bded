// The key layout of ARCHITECTURE.md (after TinyKV/TiKV's keys.go):
//
//   0x01 0x02 region(8B BE) 0x01 index(8B BE)   raft log entry
//   0x01 0x02 region(8B BE) 0x02                RaftLocalState
//   0x01 0x02 region(8B BE) 0x03                RaftApplyState
//   0x01 0x03 region(8B BE) 0x01                RegionLocalState
//   'z' + user key                              user data
//
// Every local (0x01) key sorts before every data ('z') key, and a region's log keys
// sort by index, so ranges below are plain [start, end) byte ranges.
import { StorageError } from './errors.js'

/** The single raft group's region id. */
export const REGION_ID = 1

const LOCAL_PREFIX = 0x01
const REGION_RAFT_PREFIX = 0x02
const REGION_META_PREFIX = 0x03
const RAFT_LOG_SUFFIX = 0x01
const RAFT_STATE_SUFFIX = 0x02
const APPLY_STATE_SUFFIX = 0x03
const REGION_STATE_SUFFIX = 0x01
const DATA_PREFIX = 0x7a // 'z'

const RAFT_LOG_KEY_LEN = 2 + 8 + 1 + 8
const TWO_32 = 2 ** 32

function writeU64(buf: Buffer, n: number, offset: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new StorageError('StorageBadArgument', `not a u64 index/id: ${n}`)
  buf.writeUInt32BE(Math.floor(n / TWO_32), offset)
  buf.writeUInt32BE(n >>> 0, offset + 4)
}

const readU32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0

// Byte by byte, no Buffer views: a restart decodes every log key it loads (thousands).
function readU64(buf: Uint8Array, offset: number): number {
  const hi = readU32(buf, offset)
  if (hi >= 2 ** 21) throw new StorageError('StorageCorrupted', 'u64 in key exceeds 2^53')
  return hi * TWO_32 + readU32(buf, offset + 4)
}

function regionKey(prefix: number, regionId: number, suffix: number, extra: number): Buffer {
  const k = Buffer.allocUnsafe(2 + 8 + 1 + extra)
  k[0] = LOCAL_PREFIX
  k[1] = prefix
  writeU64(k, regionId, 2)
  k[10] = suffix
  return k
}

export function raftLogKey(regionId: number, index: number): Buffer {
  const k = regionKey(REGION_RAFT_PREFIX, regionId, RAFT_LOG_SUFFIX, 8)
  writeU64(k, index, 11)
  return k
}

/** The index of a raft log key of this region; throws StorageCorrupted for any other key. */
export function decodeRaftLogKey(key: Uint8Array, regionId: number): number {
  const prefix = raftLogPrefix(regionId)
  let ok = key.byteLength === RAFT_LOG_KEY_LEN
  for (let i = 0; ok && i < prefix.length; i++) ok = key[i] === prefix[i]
  if (!ok) throw new StorageError('StorageCorrupted', `not a raft log key of region ${regionId}: ${Buffer.from(key).toString('hex')}`)
  return readU64(key, 11)
}

/** The last region's log key prefix, kept: every key of a log load is checked against it. */
let lastLogPrefix: { regionId: number; prefix: Buffer } | undefined

function raftLogPrefix(regionId: number): Buffer {
  if (lastLogPrefix?.regionId !== regionId) lastLogPrefix = { regionId, prefix: regionKey(REGION_RAFT_PREFIX, regionId, RAFT_LOG_SUFFIX, 0) }
  return lastLogPrefix.prefix
}

export const raftStateKey = (regionId: number): Buffer => regionKey(REGION_RAFT_PREFIX, regionId, RAFT_STATE_SUFFIX, 0)
export const applyStateKey = (regionId: number): Buffer => regionKey(REGION_RAFT_PREFIX, regionId, APPLY_STATE_SUFFIX, 0)
export const regionStateKey = (regionId: number): Buffer => regionKey(REGION_META_PREFIX, regionId, REGION_STATE_SUFFIX, 0)

/** A [start, end) byte range. */
export interface KeyRange {
  start: Buffer
  end: Buffer
}

/** Log keys of indexes in [lo, hi). */
export function raftLogRange(regionId: number, lo: number, hi: number): KeyRange {
  return { start: raftLogKey(regionId, lo), end: raftLogKey(regionId, hi) }
}

/** Every raft log key of the region, whatever its index. */
export function allRaftLogRange(regionId: number): KeyRange {
  return { start: regionKey(REGION_RAFT_PREFIX, regionId, RAFT_LOG_SUFFIX, 0), end: regionKey(REGION_RAFT_PREFIX, regionId, RAFT_LOG_SUFFIX + 1, 0) }
}

export function dataKey(userKey: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(userKey.byteLength + 1)
  k[0] = DATA_PREFIX
  k.set(userKey, 1)
  return k
}

/** The user key of a data key (a view, not a copy). */
export function decodeDataKey(key: Uint8Array): Buffer {
  if (key.byteLength < 1 || key[0] !== DATA_PREFIX) {
    throw new StorageError('StorageCorrupted', `not a data key: ${Buffer.from(key).toString('hex')}`)
  }
  return Buffer.from(key.buffer, key.byteOffset + 1, key.byteLength - 1)
}

/** All user data: 'z' .. '{'. */
export const DATA_RANGE: Readonly<KeyRange> = Object.freeze({
  start: Buffer.from([DATA_PREFIX]),
  end: Buffer.from([DATA_PREFIX + 1]),
})

/**
 * Data keys for user keys in [start, end); an empty end means to the end of the
 * user key space.
 */
export function dataRange(start: Uint8Array, end: Uint8Array): KeyRange {
  return { start: dataKey(start), end: end.byteLength === 0 ? DATA_RANGE.end : dataKey(end) }
}
