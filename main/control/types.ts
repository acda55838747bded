// The control API of the Supervisor (../shared/design/control-api.md, summarised in
// docs/): every method, notification and shape the desktop app, the browser dashboard,
// the headless CLI and the tests use. Types only, and it imports nothing but types, so
// renderer/ and electron/ may import this module and nothing else from main/.
import type { NodeStatusInfo } from '../../raftkv/client/status-types.js'

export type {
  FaultsInfo, LinkFaultInfo, MemberInfo, NodeStatusInfo, PeerProgressInfo, RaftRole, SnapshotStatsInfo, SnapshotTransferInfo,
} from '../../raftkv/client/status-types.js'

// ---------------------------------------------------------------------------------------
// Errors

export type ControlErrorCode =
  | 'BAD_ARGUMENT'
  | 'UNKNOWN_NODE'
  | 'NO_CLUSTER'
  | 'CLUSTER_RUNNING'
  | 'NODE_NOT_RUNNING'
  | 'PORT_IN_USE'
  | 'NOT_SUPPORTED'
  | 'TIMEOUT'
  | 'KV_ERROR'
  | 'UNAUTHORIZED'
  /** The user dismissed a dialog the call needed (desktop app: the export save dialog). */
  | 'CANCELLED'
  /** An unexpected failure inside the manager (a bug); the message says what failed. */
  | 'INTERNAL'

/** A ControlError as it crosses a process boundary (IPC, JSON-RPC `error.data`). */
export interface ControlErrorData {
  code: ControlErrorCode
  message: string
  /** With KV_ERROR: the store's kvpb.ErrorCode name (e.g. "NOT_LEADER", "TIMEOUT"). */
  kvCode?: string
}

// ---------------------------------------------------------------------------------------
// Parameters

export interface LaunchSpec {
  /** Number of nodes (default 3, 1..9). */
  nodes?: number
  /** Parent folder for the cluster's data (default: a fresh dir under the app's data folder). */
  dataDir?: string
  /** First port; node i listens on basePort + i - 1 (default: free ephemeral ports). */
  basePort?: number
  /** Logical tick in ms (default 100). */
  tickMs?: number
  /** Election timeout in ticks (default 10). */
  electionTick?: number
  /** Heartbeat interval in ticks (default 2). */
  heartbeatTick?: number
  /** Log GC: compact once this many entries are applied past the truncated index (default 1000). */
  gcCountLimit?: number
  /** Snapshot chunk size in bytes (node default when absent). */
  snapshotChunkBytes?: number
  /** Snapshot send rate limit in MiB/s (unlimited when absent). */
  snapshotRateLimitMiBps?: number
}

export interface AttachSpec {
  /** host:port of each node's ws server. */
  endpoints: string[]
  /** The cluster's shared token. */
  token: string
}

export interface NodeRef {
  id: number
}

export interface PartitionSpec {
  /** Every member in exactly one group. */
  groups: number[][]
}

export interface LinkFaultsSpec {
  from: number
  to: number
  /** Fraction [0, 1] of messages dropped. */
  dropRate?: number
  delayMs?: number
  jitterMs?: number
  /** Only from → to (default: both directions). */
  oneWay?: boolean
}

export type KvEncoding = 'utf8' | 'base64'

export interface KeyParams {
  key: string
  encoding?: KvEncoding
}

export interface PutParams {
  key: string
  value: string
  encoding?: KvEncoding
}

export interface ScanParams {
  start: string
  end: string
  limit?: number
  encoding?: KvEncoding
}

export interface KeyValue {
  key: string
  value: string
}

export type NemesisKind = 'kill' | 'pause' | 'partition' | 'isolate-leader'

export interface NemesisStep {
  kind: NemesisKind
  /** Start a fault every `everyMs`... */
  everyMs: number
  /** ...and undo it after `forMs`. */
  forMs: number
}

export interface WorkloadSpec {
  clients: number
  durationMs: number
  keys: number
  /** Fraction [0, 1] of operations that are gets. */
  getRatio: number
  nemesis?: NemesisStep[]
}

export interface HistoryParams {
  /** A history as `raftkv load --history` writes it (one JSON event per line). */
  ndjson: string
}

export interface EventsQuery {
  sinceSeq?: number
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

export interface LogsQuery {
  node?: number
  /** Lines at this level and above. */
  level?: LogLevel
  /** Case-insensitive substring of the message or fields. */
  text?: string
  sinceMs?: number
  untilMs?: number
  /** The newest `limit` lines that match (default 1000). */
  limit?: number
}

export interface TimelineQuery {
  fromMs?: number
  toMs?: number
}

export interface ExportParams {
  /** Where to write the .tar.gz (default: a file under the cluster's folder). */
  path?: string
}

export type Topic = 'status' | 'event' | 'log' | 'workload'

export interface SubscribeParams {
  topics: Topic[]
}

// ---------------------------------------------------------------------------------------
// Shapes

export type ProcessState = 'starting' | 'running' | 'stopped' | 'paused' | 'crashed' | 'external'

export interface ProcessInfo {
  state: ProcessState
  pid: number | null
  exitCode: number | null
  signal: string | null
  restarts: number
}

export interface NodeView {
  id: number
  addr: string
  process: ProcessInfo
  /** The node's own /admin status, or null while it does not answer. */
  status: NodeStatusInfo | null
  /** When its status last arrived (ms since the epoch; 0: never). */
  lastSeenMs: number
}

export type LinkState = 'up' | 'cut' | 'faulty'

export interface LinkView {
  from: number
  to: number
  state: LinkState
  dropRate: number
  delayMs: number
  /** Raft messages per second from → to (from the sender's counters). */
  msgsPerSec: number
  /** Per raft message type (e.g. "MsgAppend", "MsgHeartbeat"), per second. */
  byType?: Record<string, number>
}

export type WorkloadState = 'running' | 'checking' | 'done' | 'stopped' | 'failed'

export interface WorkloadView {
  runId: string
  state: WorkloadState
  spec: WorkloadSpec
  startedMs: number
  elapsedMs: number
  ops: number
  errors: number
  opsPerSec: number
  p99Ms: number
  verdict: Verdict | null
}

export interface ClusterView {
  mode: 'local' | 'attached' | 'none'
  /** The node that says leader in the highest term among those that answer; 0: none. */
  leader: number
  /** That term, else the highest term seen. */
  term: number
  nodes: NodeView[]
  /** The partition in effect (null: none). */
  partition: number[][] | null
  links: LinkView[]
  workload: WorkloadView | null
  timeMs: number
}

export type ClusterEventKind =
  | 'cluster-launched'
  | 'cluster-attached'
  | 'cluster-shutdown'
  | 'node-started'
  | 'node-ready'
  | 'node-exited'
  | 'node-killed'
  | 'node-stopped'
  | 'node-paused'
  | 'node-resumed'
  | 'node-added'
  | 'node-removed'
  | 'partition-set'
  | 'link-faults-set'
  | 'healed'
  | 'leader-changed'
  | 'term-changed'
  | 'role-changed'
  | 'conf-change'
  | 'log-compacted'
  | 'snapshot-started'
  | 'snapshot-done'
  | 'snapshot-failed'
  | 'workload-started'
  | 'workload-finished'
  | 'nemesis'
  | 'error'

export interface ClusterEvent {
  seq: number
  timeMs: number
  kind: ClusterEventKind
  node?: number
  term?: number
  /** Kind-specific facts (e.g. node-exited: {code, signal, expected}). */
  detail: Record<string, unknown>
}

export interface LogLine {
  node: number
  timeMs: number
  level: LogLevel
  msg: string
  /** The rest of the node's pino line. */
  fields: Record<string, unknown>
}

export interface TimelineSample {
  timeMs: number
  view: ClusterView
}

/** One operation of a history, ready to be drawn (times in ms since the run started). */
export interface HistoryOp {
  client: number
  f: 'get' | 'put' | 'delete'
  key: string
  /** put: the value written; get: the value read (null: absent). */
  value: string | null
  invokeMs: number
  /** null: never completed (outcome unknown). */
  completeMs: number | null
  outcome: 'ok' | 'info'
}

export interface Counterexample {
  key: string
  /** The operations on that key around the one that cannot be placed. */
  ops: HistoryOp[]
  /** Index into ops of the operation no linearization can place. */
  stuck: number
  /** In words: what cannot be ordered and why. */
  reason: string
}

export interface Verdict {
  /** true only when the whole history was proven linearizable. */
  linearizable: boolean
  /** 'unknown' when the check ran out of its time budget. */
  outcome: 'linearizable' | 'not-linearizable' | 'unknown'
  ops: number
  keys: number
  checkMs: number
  counterexample?: Counterexample
  explanation: string
}

export interface LatencyFigures {
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
}

export type WorkloadNotification =
  | {
    kind: 'progress'
    runId: string
    elapsedMs: number
    ops: number
    errors: number
    /** In the last second. */
    opsPerSec: number
    errorsPerSec: number
    latency: LatencyFigures
  }
  | {
    kind: 'finished'
    runId: string
    state: WorkloadState
    ops: number
    errors: number
    verdict: Verdict | null
    /** Why no verdict (state 'failed' or 'stopped' before any op). */
    reason?: string
  }

export interface NotificationMap {
  status: ClusterView
  event: ClusterEvent
  log: LogLine[]
  workload: WorkloadNotification
}

export type Unsubscribe = () => void

// ---------------------------------------------------------------------------------------
// The API

/** The request/response methods, the same in process, over IPC and over JSON-RPC. */
export interface ControlMethods {
  launch(spec?: LaunchSpec): Promise<ClusterView>
  shutdown(): Promise<void>
  attach(spec: AttachSpec): Promise<ClusterView>
  detach(): Promise<void>
  kill(p: NodeRef): Promise<void>
  stop(p: NodeRef): Promise<void>
  start(p: NodeRef): Promise<void>
  restart(p: NodeRef): Promise<void>
  pause(p: NodeRef): Promise<void>
  resume(p: NodeRef): Promise<void>
  partition(p: PartitionSpec): Promise<void>
  isolate(p: NodeRef): Promise<void>
  heal(): Promise<void>
  setLinkFaults(p: LinkFaultsSpec): Promise<void>
  addNode(): Promise<NodeRef>
  removeNode(p: NodeRef): Promise<void>
  transferLeader(p: NodeRef): Promise<void>
  get(p: KeyParams): Promise<string | null>
  put(p: PutParams): Promise<void>
  delete(p: KeyParams): Promise<void>
  scan(p: ScanParams): Promise<KeyValue[]>
  startWorkload(p: WorkloadSpec): Promise<{ runId: string }>
  stopWorkload(): Promise<void>
  checkHistory(p: HistoryParams): Promise<Verdict>
  status(): Promise<ClusterView>
  events(p?: EventsQuery): Promise<ClusterEvent[]>
  logs(p?: LogsQuery): Promise<LogLine[]>
  timeline(p?: TimelineQuery): Promise<TimelineSample[]>
  exportBundle(p?: ExportParams): Promise<{ path: string; bytes: number }>
}

export type ControlMethodName = keyof ControlMethods

/** Notifications: in process and over IPC a subscription is a callback. */
export interface ControlSubscriptions {
  subscribe<T extends Topic>(topic: T, listener: (payload: NotificationMap[T]) => void): Unsubscribe
}

export type ControlApi = ControlMethods & ControlSubscriptions

// ---------------------------------------------------------------------------------------
// The desktop app's bridge (window.raftkv, exposed by electron/preload.ts)

/** What the desktop app's menu asks the dashboard to do (the rest the main process does itself). */
export type MenuCommand = 'attach'

/**
 * window.raftkv in the desktop app: the control API over IPC, plus the menu's commands.
 * A rejected call rejects with a ControlErrorData object (a contextBridge copies an
 * Error's message only, so the code travels as data). exportBundle takes no path there:
 * the main process asks for one in a save dialog (CANCELLED when the user dismisses it).
 */
export interface DesktopBridge extends ControlApi {
  onMenu(listener: (command: MenuCommand) => void): Unsubscribe
}
