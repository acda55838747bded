// The node's defaults, in one place: `raftkv node`'s option defaults, buildNodeConfig and
// the driver all read them (the README's table lists the same values). The storage engine's
// sizes come from storage, which owns them.
import { ENGINE_DEFAULTS, ENTRY_CACHE_BYTES } from '../storage/index.js'

export const NODE_DEFAULTS = {
  tickMs: 100,
  electionTick: 10,
  heartbeatTick: 2,
  raftLogGcCountLimit: 1000,
  raftLogGcSizeLimit: 64 * 1024 * 1024,
  requestTimeoutMs: 5000,
  snapshotRateLimitMBps: 0,
  snapshotMaxConcurrentSend: 1,
  snapshotMaxConcurrentReceive: 1,
  blockCacheBytes: ENGINE_DEFAULTS.blockCacheBytes,
  memtableBytes: ENGINE_DEFAULTS.memtableBytes,
  entryCacheBytes: ENTRY_CACHE_BYTES,
} as const
