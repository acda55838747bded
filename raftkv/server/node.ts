// A RaftKV node: PeerStorage (RocksDB) + RawNode + the driver loop + the WebSocket
// server with its /raft, /kv and /admin services.
import type { Logger } from 'pino'
import { RawNode, type RaftLogger } from '../raft/index.js'
import { PeerStorage } from '../storage/index.js'
import { TransportServer } from '../transport/index.js'
import { RaftDriver } from './raft-driver.js'
import { KvService } from './kv-service.js'
import { AdminService } from './admin-service.js'
import { buildStatus } from './status.js'
import type { NodeConfig } from './node-config.js'
import { NodeError } from './errors.js'
import type { adminpb } from '../../proto/generated/protos.js'
import { SnapshotService } from './snapshot-service.js'
import { readTombstone, writeTombstone, type Tombstone } from './tombstone.js'
import { StorageEventRelay } from './storage-events.js'
import { sinceProcessStart, type StartupMarks } from './startup-marks.js'

export interface NodeHooks {
  /** The driver hit a storage failure and stopped (the node command exits 70). */
  onFatal?: (err: unknown) => void
  /** The process's start-up marks so far; the node adds its own and logs them on node-ready. */
  startup?: StartupMarks
}

export class RaftKvNode {
  private storage: PeerStorage | undefined
  private server: TransportServer | undefined
  private driver: RaftDriver | undefined
  private kv: KvService | undefined
  private snapshots: SnapshotService | undefined
  private startedAt = Date.now()
  /** Set once this node knows it was removed from the cluster. */
  private tombstone: Tombstone | undefined
  port = 0

  constructor(readonly config: NodeConfig, private readonly log: Logger, private readonly hooks: NodeHooks = {}) {}

  async start(): Promise<void> {
    const c = this.config
    const log = this.log
    const startup = this.hooks.startup === undefined ? undefined : { ...this.hooks.startup, startMs: sinceProcessStart() }
    // Subscribed before open: open() may recover an interrupted snapshot swap, and say so.
    const storageEvents = new StorageEventRelay(log)
    this.storage = await PeerStorage.open({
      dataDir: c.dataDir, initialPeers: c.peers, onEvent: storageEvents.listener,
      engine: { blockCacheBytes: c.blockCacheBytes, memtableBytes: c.memtableBytes }, entryCacheBytes: c.entryCacheBytes,
      ...(c.snapshotChunkBytes === undefined ? {} : { snapshotChunkBytes: c.snapshotChunkBytes }),
    })
    if (startup) startup.storageOpenMs = sinceProcessStart()
    const storage = this.storage
    const raftLog = log.child({ component: 'raft' })
    const logger: RaftLogger = { debug: (m) => raftLog.debug(m), info: (m) => raftLog.info(m), warn: (m) => raftLog.warn(m) }
    const rawNode = new RawNode({
      id: c.id, electionTick: c.electionTick, heartbeatTick: c.heartbeatTick, storage,
      applied: storage.appliedIndex, preVote: true, checkQuorum: true, asyncLeaderWrites: true,
      maxInflightMsgs: 256, maxSizePerMsg: 1024 * 1024, rand: Math.random, logger,
    })
    this.server = new TransportServer({ nodeId: c.id, listenHost: c.listenHost, listenPort: c.listenPort, token: c.token, logger: log })
    const server = this.server
    server.peers.setPeers(this.peerMap())
    this.snapshots = new SnapshotService({
      nodeId: c.id, token: c.token, log: log.child({ component: 'snapshot' }), storage,
      addrOf: (id) => this.addrOf(id), step: (m) => this.driver?.stepReceivedSnapshot(m),
      report: (peer, failed) => this.driver?.reportSnapshot(peer, failed), rateLimitMBps: c.snapshotRateLimitMBps,
      maxConcurrentSend: c.snapshotMaxConcurrentSend, maxConcurrentReceive: c.snapshotMaxConcurrentReceive,
    })
    const snapshots = this.snapshots
    storageEvents.attach((e) => snapshots.onStorageEvent(e))
    this.driver = new RaftDriver(rawNode, storage, server.peers, {
      nodeId: c.id, tickMs: c.tickMs, log: log.child({ component: 'driver' }),
      gcCountLimit: c.raftLogGcCountLimit, gcSizeLimit: c.raftLogGcSizeLimit, sendSnapshot: (m) => snapshots.send(m),
      onFatal: this.hooks.onFatal,
      onRemovedSelf: (index) => this.retire(`applied the conf change removing it (index ${index})`),
    })
    const driver = this.driver
    this.kv = new KvService({ log: log.child({ component: 'kv' }), driver, addrOf: (id) => this.addrOf(id), requestTimeoutMs: c.requestTimeoutMs })
    const admin = new AdminService({
      log: log.child({ component: 'admin' }), driver, status: () => this.status(),
      setFaults: (f) => server.peers.setFaults(f), getFaults: () => server.peers.getFaults(),
      members: () => storage.regionState.region.peers, removed: () => this.tombstone !== undefined,
    })
    server.peers.onRemovedBy((_peer, how) => this.retire(how))
    server.onConnection('/kv', (conn) => this.kv!.attach(conn))
    server.onConnection('/admin', (conn) => admin.attach(conn))
    server.onConnection('/snapshot', (conn) => snapshots.attach(conn))
    this.port = await server.start()
    if (startup) startup.listeningMs = sinceProcessStart()
    const earlier = readTombstone(c.dataDir)
    if (earlier) {
      // Removed in an earlier run: serve status only, as the tombstone it is.
      this.tombstone = earlier
      await server.peers.close()
    } else {
      driver.start()
    }
    this.startedAt = Date.now()
    if (startup) startup.readyMs = sinceProcessStart()
    log.info({
      event: 'node-ready', id: c.id, port: this.port, members: storage.regionState.region.peers, applied: storage.appliedIndex, removed: this.tombstone !== undefined,
      ...(startup ? { startup } : {}),
    }, 'ready')
    if (earlier) this.logRemoved(earlier)
  }

  /**
   * This node learned it is no longer a member: it stops ticking and dialing for good,
   * answers KV requests NOT_LEADER and /admin status with removed: true, and keeps a
   * marker in its data dir so that a restart stays a tombstone.
   */
  private retire(reason: string): void {
    if (this.tombstone || !this.driver || !this.server) return
    const t: Tombstone = { reason, at: Date.now() }
    this.tombstone = t
    try {
      writeTombstone(this.config.dataDir, t)
    } catch (err) {
      this.log.error({ err }, 'could not write the tombstone marker')
    }
    this.logRemoved(t)
    const server = this.server
    void this.driver.retire().then(() => server.peers.close())
  }

  private logRemoved(t: Tombstone): void {
    this.log.warn({ event: 'node-removed', reason: t.reason, at: new Date(t.at).toISOString() },
      'this node was removed from the cluster: it no longer ticks or dials and only answers status (stop it; wipe its data dir to reuse the id)')
  }

  status(): adminpb.NodeStatus.$Properties {
    if (!this.driver || !this.server || !this.kv) throw new NodeError('NodeNotStarted', 'node not started')
    return buildStatus({
      nodeId: this.config.id, addr: `${this.config.listenHost}:${this.port}`, startedAt: this.startedAt,
      driver: this.driver, peers: this.server.peers, kv: this.kv, snapshots: () => this.snapshots!.stats(),
      removed: this.tombstone !== undefined, entryCache: () => this.storage!.entryCacheMemory,
      budget: {
        blockCacheBytes: this.config.blockCacheBytes, memtableBytes: this.config.memtableBytes,
        entryCacheBytes: this.config.entryCacheBytes, raftLogGcSizeLimit: this.config.raftLogGcSizeLimit,
      },
    })
  }

  private peerMap(): Map<number, string> {
    const region = this.storage!.regionState.region
    return new Map(region.peers.filter((p) => p.id !== this.config.id).map((p) => [p.id, p.addr]))
  }

  private addrOf(id: number): string | undefined {
    return this.storage?.regionState.region.peers.find((p) => p.id === id)?.addr
  }

  async stop(): Promise<void> {
    await this.driver?.stop()
    await this.snapshots?.close()
    await this.server?.close()
    await this.storage?.close()
    this.log.info({ event: 'node-stopped', id: this.config.id }, 'stopped')
  }
}
