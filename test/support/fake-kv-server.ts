// A fake raftkv cluster for client tests: each FakeKvNode is a real WebSocket
// server on 127.0.0.1 (ephemeral port) speaking /kv and /admin exactly as
// proto/kvpb.proto and proto/adminpb.proto say, over one in-memory store that
// all nodes share and the leader applies atomically (so it is linearizable by
// construction). Tests steer it: who leads, whether NotLeader carries a hint,
// and scripted answers for the next requests (StaleCommand, errors, delays,
// dropped connections, silence).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { adminpb, kvpb } from '../../proto/generated/protos.js'
import type { AdminErrorName } from '../../raftkv/client/errors.js'

/** What the node does with one incoming /kv request (consumed in order, then the default). */
export type FakeBehavior =
  | { kind: 'notLeader'; leaderId?: number; leaderAddr?: string }
  | { kind: 'staleCommand' }
  | { kind: 'error'; code: kvpb.ErrorCode; message?: string }
  /** Apply now, answer after ms. */
  | { kind: 'delay'; ms: number }
  /** Close the socket instead of answering, after applying the command when apply is true. */
  | { kind: 'dropConnection'; apply: boolean }
  /** Never answer, after applying the command when apply is true. */
  | { kind: 'noReply'; apply: boolean }

export interface FakeClusterOptions {
  nodes: number
  token: string
}

export class FakeCluster {
  readonly token: string
  readonly nodes: FakeKvNode[] = []
  readonly store = new Map<string, Buffer>()
  leaderId: number | null = 1
  /** When false, NotLeader answers carry no hint. */
  hints = true
  term = 1
  /** Writes applied so far: the fake's log index. */
  applied = 0

  private constructor(token: string) {
    this.token = token
  }

  static async start(options: FakeClusterOptions): Promise<FakeCluster> {
    const cluster = new FakeCluster(options.token)
    for (let id = 1; id <= options.nodes; id++) cluster.nodes.push(await FakeKvNode.start(cluster, id))
    return cluster
  }

  get endpoints(): string[] {
    return this.nodes.map((n) => n.addr)
  }

  node(id: number): FakeKvNode {
    const node = this.nodes.find((n) => n.id === id)
    if (node === undefined) throw new RangeError(`no fake node ${id}`)
    return node
  }

  /** Makes id the leader (null: nobody leads) in a new term. */
  setLeader(id: number | null): void {
    this.leaderId = id
    this.term++
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()))
  }
}

export class FakeKvNode {
  readonly id: number
  readonly cluster: FakeCluster
  /** Every /kv request received, in order. */
  readonly received: kvpb.KvRequest[] = []
  /** Every /admin request received, in order. */
  readonly adminReceived: adminpb.AdminRequest[] = []
  /** WebSocket upgrades accepted on /kv. */
  kvConnections = 0
  faults: adminpb.Faults.$Properties = {}
  members: { id: number; addr: string }[] = []
  /** Set to make /admin answer every request with this error code. */
  adminErrorCode: AdminErrorName | '' = ''
  private readonly queue: FakeBehavior[] = []
  private readonly http: Server
  private readonly wss: WebSocketServer
  private readonly sockets = new Set<WebSocket>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private port = 0

  private constructor(cluster: FakeCluster, id: number) {
    this.cluster = cluster
    this.id = id
    this.http = createServer((_req, res) => {
      res.writeHead(404).end()
    })
    this.wss = new WebSocketServer({ noServer: true })
    this.http.on('upgrade', (req, socket, head) => {
      const path = req.url ?? ''
      if (path !== '/kv' && path !== '/admin') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
        return
      }
      if (req.headers.authorization !== `Bearer ${cluster.token}`) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
        return
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws)
        ws.on('close', () => this.sockets.delete(ws))
        if (path === '/kv') {
          this.kvConnections++
          ws.on('message', (data) => this.onKv(ws, data as Buffer))
        } else {
          ws.on('message', (data) => this.onAdmin(ws, data as Buffer))
        }
      })
    })
  }

  static async start(cluster: FakeCluster, id: number): Promise<FakeKvNode> {
    const node = new FakeKvNode(cluster, id)
    await new Promise<void>((resolve, reject) => {
      node.http.once('error', reject)
      node.http.listen(0, '127.0.0.1', () => resolve())
    })
    node.port = (node.http.address() as AddressInfo).port
    return node
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`
  }

  get isLeader(): boolean {
    return this.cluster.leaderId === this.id
  }

  /** Queues behaviours for the next /kv requests this node receives. */
  respondNext(...behaviors: FakeBehavior[]): this {
    this.queue.push(...behaviors)
    return this
  }

  /** Closes every client socket this node holds (as a crash would). */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate()
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.dropConnections()
    this.wss.close()
    await new Promise<void>((resolve) => this.http.close(() => resolve()))
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      fn()
    }, ms)
    this.timers.add(timer)
  }

  private onKv(ws: WebSocket, frame: Buffer): void {
    let request: kvpb.KvRequest
    try {
      request = kvpb.KvRequest.decode(frame)
    } catch {
      ws.close(1007, 'frame does not decode')
      return
    }
    this.received.push(request)
    const reply = (response: kvpb.KvResponse.$Properties): void => {
      if (ws.readyState === ws.OPEN) ws.send(kvpb.KvResponse.encode({ ...response, id: request.id }).finish())
    }
    const behavior = this.queue.shift()
    if (behavior === undefined && !this.isLeader) {
      const leader = this.cluster.leaderId
      const hinted = this.cluster.hints && leader !== null
      reply({ error: { code: kvpb.ErrorCode.NOT_LEADER, message: `node ${this.id} is not the leader`, leaderId: hinted ? leader : 0, leaderAddr: hinted ? this.cluster.node(leader).addr : '' } })
      return
    }
    switch (behavior?.kind) {
      case 'notLeader':
        reply({ error: { code: kvpb.ErrorCode.NOT_LEADER, message: 'scripted NotLeader', leaderId: behavior.leaderId ?? 0, leaderAddr: behavior.leaderAddr ?? '' } })
        return
      case 'staleCommand':
        reply({ error: { code: kvpb.ErrorCode.STALE_COMMAND, message: 'scripted StaleCommand' } })
        return
      case 'error':
        reply({ error: { code: behavior.code, message: behavior.message ?? 'scripted error' } })
        return
      case 'delay': {
        const response = this.apply(request)
        this.later(behavior.ms, () => reply(response))
        return
      }
      case 'dropConnection':
        if (behavior.apply) this.apply(request)
        ws.terminate()
        return
      case 'noReply':
        if (behavior.apply) this.apply(request)
        return
      case undefined:
        reply(this.apply(request))
    }
  }

  /** Runs the command on the shared store, atomically. */
  private apply(request: kvpb.KvRequest): kvpb.KvResponse.$Properties {
    const store = this.cluster.store
    switch (request.cmd) {
      case 'get': {
        const value = store.get(Buffer.from(request.get!.key ?? []).toString('latin1'))
        return { get: value === undefined ? { found: false } : { found: true, value } }
      }
      case 'put':
        store.set(Buffer.from(request.put!.key ?? []).toString('latin1'), Buffer.from(request.put!.value ?? []))
        this.cluster.applied++
        return { put: {} }
      case 'delete':
        store.delete(Buffer.from(request.delete!.key ?? []).toString('latin1'))
        this.cluster.applied++
        return { delete: {} }
      case 'scan': {
        const start = Buffer.from(request.scan!.start ?? []).toString('latin1')
        const end = Buffer.from(request.scan!.end ?? []).toString('latin1')
        const limit = request.scan!.limit || 1000
        const keys = [...store.keys()].filter((k) => k >= start && (end === '' || k < end)).sort()
        const pairs = keys.slice(0, limit).map((k) => ({ key: Buffer.from(k, 'latin1'), value: store.get(k)! }))
        return { scan: { pairs, more: keys.length > limit } }
      }
      default:
        return { error: { code: kvpb.ErrorCode.BAD_REQUEST, message: 'unknown request type' } }
    }
  }

  private onAdmin(ws: WebSocket, frame: Buffer): void {
    let request: adminpb.AdminRequest
    try {
      request = adminpb.AdminRequest.decode(frame)
    } catch {
      ws.close(1007, 'frame does not decode')
      return
    }
    this.adminReceived.push(request)
    const reply = (response: adminpb.AdminResponse.$Properties): void => {
      if (ws.readyState === ws.OPEN) ws.send(adminpb.AdminResponse.encode({ ...response, id: request.id }).finish())
    }
    if (this.adminErrorCode !== '') {
      reply({ errorCode: adminpb.AdminErrorCode[this.adminErrorCode], errorMessage: 'scripted admin error' })
      return
    }
    switch (request.cmd) {
      case 'status':
        reply({ status: this.status() })
        return
      case 'watchStatus': {
        const interval = Math.max(10, request.watchStatus!.intervalMs ?? 1000)
        const tick = (): void => {
          if (ws.readyState !== ws.OPEN) return
          reply({ status: this.status() })
          this.later(interval, tick)
        }
        tick()
        return
      }
      case 'setFaults':
        this.faults = request.setFaults!.faults ?? {}
        reply({ faults: this.faults })
        return
      case 'transferLeader': {
        const peer = request.transferLeader!.peer ?? 0
        if (!this.cluster.nodes.some((n) => n.id === peer)) {
          reply({ errorCode: adminpb.AdminErrorCode.NOT_MEMBER, errorMessage: `no peer ${peer}` })
          return
        }
        this.cluster.setLeader(peer)
        reply({})
        return
      }
      case 'changePeer': {
        const { change, peer, addr } = request.changePeer!
        if (change === 'add') this.members.push({ id: peer ?? 0, addr: addr ?? '' })
        else if (change === 'remove') this.members = this.members.filter((m) => m.id !== peer)
        else {
          reply({ errorCode: adminpb.AdminErrorCode.BAD_REQUEST, errorMessage: `unknown change ${change ?? ''}` })
          return
        }
        reply({})
        return
      }
      default:
        reply({ errorCode: adminpb.AdminErrorCode.BAD_REQUEST, errorMessage: 'unknown admin request' })
    }
  }

  private status(): adminpb.NodeStatus.$Properties {
    const c = this.cluster
    const last = c.applied + 1
    const members = [...c.nodes.map((n) => ({ id: n.id, addr: n.addr })), ...this.members]
    return {
      id: this.id,
      role: this.isLeader ? 'leader' : 'follower',
      term: c.term,
      vote: c.leaderId ?? 0,
      leader: c.leaderId ?? 0,
      firstIndex: 1,
      lastIndex: last,
      stabledIndex: last,
      commitIndex: last,
      appliedIndex: last,
      truncatedIndex: 0,
      members,
      progress: this.isLeader ? members.filter((m) => m.id !== this.id).map((m) => ({ id: m.id, match: last, next: last + 1, state: 'replicate', recentActive: true })) : [],
      counters: { kvRequests: this.received.length },
      snapshots: { sent: 0, received: 0, applied: 0, failed: 0, transfers: [] },
      faults: this.faults,
      addr: this.addr,
      uptimeMs: 1000,
      pid: process.pid,
    }
  }
}
