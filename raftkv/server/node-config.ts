// The node's configuration, parsed and checked from the command line (typed errors only).
import { NodeConfigError } from './errors.js'
import { NODE_DEFAULTS as D } from './node-defaults.js'

export interface PeerAddr {
  id: number
  addr: string
}

export interface NodeConfig {
  id: number
  peers: PeerAddr[]
  dataDir: string
  /** host:port to bind. Default: 127.0.0.1 and the port of this node's --peers entry. */
  listenHost: string
  listenPort: number
  token: string
  tickMs: number
  electionTick: number
  heartbeatTick: number
  /** Log GC: compact once applied - truncated exceeds this many entries. */
  raftLogGcCountLimit: number
  /** Log GC: also compact once the log holds this many bytes. */
  raftLogGcSizeLimit: number
  requestTimeoutMs: number
  /** Snapshot transfer rate limit in MiB/s (0: unlimited). */
  snapshotRateLimitMBps: number
  /** Snapshots sent / received at once; beyond, a receiver refuses with a reason. */
  snapshotMaxConcurrentSend: number
  snapshotMaxConcurrentReceive: number
  /** Target size of one snapshot chunk in bytes (undefined: the storage default, 1 MiB). */
  snapshotChunkBytes?: number
  /** RocksDB block cache bytes (index and filter blocks included). */
  blockCacheBytes: number
  /** RocksDB memtable budget in bytes. */
  memtableBytes: number
  /** Raft log entries held in memory, in bytes (older ones are read from RocksDB). */
  entryCacheBytes: number
}

function bad(message: string): NodeConfigError {
  return new NodeConfigError(message)
}

export function parseHostPort(s: string, what: string): { host: string; port: number } {
  const m = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(s.trim())
  if (!m) throw bad(`${what}: "${s}" is not host:port`)
  const port = Number(m[2])
  if (port > 65535) throw bad(`${what}: port ${port} is out of range`)
  return { host: m[1]!, port }
}

/** Parses "1=127.0.0.1:7001,2=127.0.0.1:7002". */
export function parsePeers(s: string): PeerAddr[] {
  const out: PeerAddr[] = []
  const seen = new Set<number>()
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=')
    if (eq <= 0) throw bad(`--peers: "${part}" is not id=host:port`)
    const id = Number(part.slice(0, eq))
    if (!Number.isSafeInteger(id) || id <= 0) throw bad(`--peers: "${part.slice(0, eq)}" is not a positive node id`)
    if (seen.has(id)) throw bad(`--peers: node ${id} is listed twice`)
    seen.add(id)
    const { host, port } = parseHostPort(part.slice(eq + 1), `--peers ${id}`)
    out.push({ id, addr: `${host}:${port}` })
  }
  if (out.length === 0) throw bad('--peers: at least one peer (this node) is required')
  return out.sort((a, b) => a.id - b.id)
}

export function positiveInt(v: string | number, what: string): number {
  const n = typeof v === 'number' ? v : Number(v)
  if (!Number.isSafeInteger(n) || n <= 0) throw bad(`${what} must be a positive integer, got "${String(v)}"`)
  return n
}

export function nonNegative(v: string | number, what: string): number {
  const n = typeof v === 'number' ? v : Number(v)
  if (!Number.isFinite(n) || n < 0) throw bad(`${what} must be a non-negative number, got "${String(v)}"`)
  return n
}

/** A size given in MiB (integer, within [min, max]) as bytes; `fallback` when absent. */
function mib(v: string | number | undefined, fallback: number, what: string, min: number, max: number): number {
  if (v === undefined) return fallback
  const n = positiveInt(v, what)
  if (n < min || n > max) throw bad(`${what} must be in [${min}, ${max}], got ${n}`)
  return n * 1024 * 1024
}

export interface RawNodeArgs {
  id: string | number
  peers: string
  dataDir: string
  listen?: string
  tickMs?: string | number
  electionTick?: string | number
  heartbeatTick?: string | number
  raftLogGcCountLimit?: string | number
  raftLogGcSizeLimit?: string | number
  requestTimeoutMs?: string | number
  snapshotRateLimit?: string | number
  snapshotMaxSend?: string | number
  snapshotMaxReceive?: string | number
  snapshotChunkBytes?: string | number
  /** MiB */
  blockCacheMb?: string | number
  /** MiB */
  memtableMb?: string | number
  /** MiB */
  entryCacheMb?: string | number
  token?: string
}

export function buildNodeConfig(a: RawNodeArgs): NodeConfig {
  const id = positiveInt(a.id, '--id')
  const peers = parsePeers(a.peers)
  const self = peers.find((p) => p.id === id)
  if (!self) throw bad(`--peers must include this node (${id})`)
  if (!a.dataDir) throw bad('--data-dir is required')
  const token = a.token ?? ''
  if (token.length === 0) throw bad('the cluster token must be set in RAFTKV_TOKEN')
  if (/[\r\n]/.test(token)) throw bad('the cluster token (RAFTKV_TOKEN) must not contain line breaks')
  const listen = a.listen ? parseHostPort(a.listen, '--listen') : { host: '127.0.0.1', port: parseHostPort(self.addr, '--peers').port }
  const electionTick = positiveInt(a.electionTick ?? D.electionTick, '--election-tick')
  const heartbeatTick = positiveInt(a.heartbeatTick ?? D.heartbeatTick, '--heartbeat-tick')
  if (heartbeatTick >= electionTick) throw bad('--heartbeat-tick must be smaller than --election-tick')
  return {
    id, peers, dataDir: a.dataDir, listenHost: listen.host, listenPort: listen.port, token,
    tickMs: positiveInt(a.tickMs ?? D.tickMs, '--tick-ms'),
    electionTick, heartbeatTick,
    raftLogGcCountLimit: positiveInt(a.raftLogGcCountLimit ?? D.raftLogGcCountLimit, '--raft-log-gc-count-limit'),
    raftLogGcSizeLimit: positiveInt(a.raftLogGcSizeLimit ?? D.raftLogGcSizeLimit, '--raft-log-gc-size-limit'),
    requestTimeoutMs: positiveInt(a.requestTimeoutMs ?? D.requestTimeoutMs, '--request-timeout-ms'),
    snapshotRateLimitMBps: nonNegative(a.snapshotRateLimit ?? D.snapshotRateLimitMBps, '--snapshot-rate-limit'),
    snapshotMaxConcurrentSend: positiveInt(a.snapshotMaxSend ?? D.snapshotMaxConcurrentSend, '--snapshot-max-send'),
    snapshotMaxConcurrentReceive: positiveInt(a.snapshotMaxReceive ?? D.snapshotMaxConcurrentReceive, '--snapshot-max-receive'),
    ...(a.snapshotChunkBytes === undefined ? {} : { snapshotChunkBytes: positiveInt(a.snapshotChunkBytes, '--snapshot-chunk-bytes') }),
    blockCacheBytes: mib(a.blockCacheMb, D.blockCacheBytes, '--block-cache-mb', 1, 4095),
    memtableBytes: mib(a.memtableMb, D.memtableBytes, '--memtable-mb', 4, 4096),
    entryCacheBytes: mib(a.entryCacheMb, D.entryCacheBytes, '--entry-cache-mb', 1, 4096),
  }
}
