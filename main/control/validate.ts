// Argument checks of the control API at a trust boundary (IPC from the renderer, JSON-RPC
// from a browser): the shape of each method's params — types, ranges, no unknown keys.
// What needs the cluster's state (is node 4 a member? does a partition cover everyone?)
// stays with the Supervisor. Every refusal is a ControlError BAD_ARGUMENT naming the field.
import { ControlError } from './errors.js'
import type {
  AttachSpec, ControlMethodName, ControlMethods, EventsQuery, ExportParams, HistoryParams, KeyParams,
  LaunchSpec, LinkFaultsSpec, LogLevel, LogsQuery, NemesisKind, NemesisStep, NodeRef, PartitionSpec, PutParams,
  ScanParams, TimelineQuery, WorkloadSpec,
} from './types.js'

/** The params of one method as its signature declares them. */
export type ParamsOf<M extends ControlMethodName> = Parameters<ControlMethods[M]>[0]

type Obj = Record<string, unknown>

const MAX_NODE_ID = 1_000_000
const MAX_MS = 24 * 3600 * 1000
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
const NEMESIS_KINDS: readonly NemesisKind[] = ['kill', 'pause', 'partition', 'isolate-leader']

function bad(field: string, what: string): never {
  throw new ControlError('BAD_ARGUMENT', `${field}: ${what}`)
}

function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** A params object with only the named keys (undefined params allowed when `optional`). */
function object(raw: unknown, method: string, keys: readonly string[], optional: boolean): Obj {
  if (raw === undefined && optional) return {}
  if (!isPlainObject(raw)) bad(method, optional ? 'params must be an object or absent' : 'params must be an object')
  for (const k of Object.keys(raw)) if (!keys.includes(k)) bad(`${method}.${k}`, 'unknown field')
  return raw
}

function none(raw: unknown, method: string): undefined {
  if (raw === undefined) return undefined
  if (isPlainObject(raw) && Object.keys(raw).length === 0) return undefined
  return bad(method, 'takes no params')
}

function int(o: Obj, key: string, field: string, min: number, max: number, required: boolean): number | undefined {
  const v = o[key]
  if (v === undefined) return required ? bad(field, 'is required') : undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(field, `must be an integer in [${min}, ${max}]`)
  return v
}

function num(o: Obj, key: string, field: string, min: number, max: number, required: boolean): number | undefined {
  const v = o[key]
  if (v === undefined) return required ? bad(field, 'is required') : undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) bad(field, `must be a number in [${min}, ${max}]`)
  return v
}

function str(o: Obj, key: string, field: string, required: boolean, nonEmpty = false): string | undefined {
  const v = o[key]
  if (v === undefined) return required ? bad(field, 'is required') : undefined
  if (typeof v !== 'string') bad(field, 'must be a string')
  if (nonEmpty && v.length === 0) bad(field, 'must not be empty')
  return v
}

function oneOf<T extends string>(o: Obj, key: string, field: string, allowed: readonly T[]): T | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) bad(field, `must be one of ${allowed.join(', ')}`)
  return v as T
}

/** Copies the keys that are set, so that the result holds no `undefined` members. */
function defined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  const out: Obj = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out as T
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function kvText(o: Obj, key: string, field: string, base64: boolean): string {
  const v = str(o, key, field, true)!
  if (base64 && (v.length % 4 !== 0 || !BASE64.test(v))) bad(field, 'is not valid base64')
  return v
}

function nodeRef(raw: unknown, method: string): NodeRef {
  const o = object(raw, method, ['id'], false)
  return { id: int(o, 'id', `${method}.id`, 1, MAX_NODE_ID, true)! }
}

function launch(raw: unknown): LaunchSpec | undefined {
  if (raw === undefined) return undefined
  const f = 'launch'
  const o = object(raw, f, ['nodes', 'dataDir', 'basePort', 'tickMs', 'electionTick', 'heartbeatTick', 'gcCountLimit', 'snapshotChunkBytes', 'snapshotRateLimitMiBps'], true)
  const spec = defined<LaunchSpec>({
    nodes: int(o, 'nodes', `${f}.nodes`, 1, 9, false),
    dataDir: str(o, 'dataDir', `${f}.dataDir`, false, true),
    basePort: int(o, 'basePort', `${f}.basePort`, 1024, 65535, false),
    tickMs: int(o, 'tickMs', `${f}.tickMs`, 1, 60_000, false),
    electionTick: int(o, 'electionTick', `${f}.electionTick`, 2, 10_000, false),
    heartbeatTick: int(o, 'heartbeatTick', `${f}.heartbeatTick`, 1, 10_000, false),
    gcCountLimit: int(o, 'gcCountLimit', `${f}.gcCountLimit`, 1, 100_000_000, false),
    snapshotChunkBytes: int(o, 'snapshotChunkBytes', `${f}.snapshotChunkBytes`, 1, 64 * 1024 * 1024, false),
    snapshotRateLimitMiBps: num(o, 'snapshotRateLimitMiBps', `${f}.snapshotRateLimitMiBps`, Number.MIN_VALUE, 1_000_000, false),
  })
  if (spec.basePort !== undefined && spec.basePort + (spec.nodes ?? 3) - 1 > 65535) bad(`${f}.basePort`, 'leaves no room for every node below 65536')
  const election = spec.electionTick ?? 10
  const heartbeat = spec.heartbeatTick ?? 2
  if (heartbeat >= election) bad(`${f}.heartbeatTick`, 'must be smaller than electionTick')
  return spec
}

const ENDPOINT = /^[A-Za-z0-9.-]+:(\d{1,5})$|^\[[0-9A-Fa-f:.]+\]:(\d{1,5})$/

function attach(raw: unknown): AttachSpec {
  const o = object(raw, 'attach', ['endpoints', 'token'], false)
  const eps = o['endpoints']
  if (!Array.isArray(eps) || eps.length === 0 || eps.length > 64) bad('attach.endpoints', 'must be a list of 1 to 64 host:port strings')
  const endpoints = eps.map((e: unknown, i) => {
    const m = typeof e === 'string' ? ENDPOINT.exec(e) : null
    const port = m ? Number(m[1] ?? m[2]) : 0
    if (!m || port < 1 || port > 65535) bad(`attach.endpoints[${i}]`, 'must be host:port')
    return e as string
  })
  return { endpoints, token: str(o, 'token', 'attach.token', true, true)! }
}

function partition(raw: unknown): PartitionSpec {
  const o = object(raw, 'partition', ['groups'], false)
  const groups = o['groups']
  if (!Array.isArray(groups) || groups.length === 0) bad('partition.groups', 'must be a non-empty list of groups')
  const seen = new Set<number>()
  return {
    groups: groups.map((g: unknown, i) => {
      if (!Array.isArray(g) || g.length === 0) bad(`partition.groups[${i}]`, 'must be a non-empty list of node ids')
      return g.map((id: unknown, j) => {
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_NODE_ID) bad(`partition.groups[${i}][${j}]`, 'must be a node id')
        if (seen.has(id)) bad(`partition.groups[${i}][${j}]`, `node ${id} is in more than one group`)
        seen.add(id)
        return id
      })
    }),
  }
}

function setLinkFaults(raw: unknown): LinkFaultsSpec {
  const f = 'setLinkFaults'
  const o = object(raw, f, ['from', 'to', 'dropRate', 'delayMs', 'jitterMs', 'oneWay'], false)
  const spec = defined<LinkFaultsSpec>({
    from: int(o, 'from', `${f}.from`, 1, MAX_NODE_ID, true)!,
    to: int(o, 'to', `${f}.to`, 1, MAX_NODE_ID, true)!,
    dropRate: num(o, 'dropRate', `${f}.dropRate`, 0, 1, false),
    delayMs: num(o, 'delayMs', `${f}.delayMs`, 0, 60_000, false),
    jitterMs: num(o, 'jitterMs', `${f}.jitterMs`, 0, 60_000, false),
    oneWay: undefined,
  })
  if (spec.from === spec.to) bad(`${f}.to`, 'must differ from from')
  const oneWay = o['oneWay']
  if (oneWay !== undefined) {
    if (typeof oneWay !== 'boolean') bad(`${f}.oneWay`, 'must be a boolean')
    spec.oneWay = oneWay
  }
  return spec
}

function encodingOf(o: Obj, method: string): 'utf8' | 'base64' | undefined {
  return oneOf(o, 'encoding', `${method}.encoding`, ['utf8', 'base64'] as const)
}

function keyParams(raw: unknown, method: string): KeyParams {
  const o = object(raw, method, ['key', 'encoding'], false)
  const encoding = encodingOf(o, method)
  return defined<KeyParams>({ key: kvText(o, 'key', `${method}.key`, encoding === 'base64'), encoding })
}

function put(raw: unknown): PutParams {
  const o = object(raw, 'put', ['key', 'value', 'encoding'], false)
  const encoding = encodingOf(o, 'put')
  const b64 = encoding === 'base64'
  return defined<PutParams>({ key: kvText(o, 'key', 'put.key', b64), value: kvText(o, 'value', 'put.value', b64), encoding })
}

function scan(raw: unknown): ScanParams {
  const o = object(raw, 'scan', ['start', 'end', 'limit', 'encoding'], false)
  const encoding = encodingOf(o, 'scan')
  const b64 = encoding === 'base64'
  return defined<ScanParams>({
    start: kvText(o, 'start', 'scan.start', b64),
    end: kvText(o, 'end', 'scan.end', b64),
    limit: int(o, 'limit', 'scan.limit', 1, 100_000, false),
    encoding,
  })
}

function nemesisStep(raw: unknown, i: number): NemesisStep {
  const f = `startWorkload.nemesis[${i}]`
  const o = object(raw, f, ['kind', 'everyMs', 'forMs'], false)
  const kind = oneOf(o, 'kind', `${f}.kind`, NEMESIS_KINDS)
  if (kind === undefined) bad(`${f}.kind`, 'is required')
  return { kind, everyMs: int(o, 'everyMs', `${f}.everyMs`, 1, MAX_MS, true)!, forMs: int(o, 'forMs', `${f}.forMs`, 0, MAX_MS, true)! }
}

function startWorkload(raw: unknown): WorkloadSpec {
  const f = 'startWorkload'
  const o = object(raw, f, ['clients', 'durationMs', 'keys', 'getRatio', 'nemesis'], false)
  const spec: WorkloadSpec = {
    clients: int(o, 'clients', `${f}.clients`, 1, 256, true)!,
    durationMs: int(o, 'durationMs', `${f}.durationMs`, 1, MAX_MS, true)!,
    keys: int(o, 'keys', `${f}.keys`, 1, 1_000_000, true)!,
    getRatio: num(o, 'getRatio', `${f}.getRatio`, 0, 1, true)!,
  }
  const nemesis = o['nemesis']
  if (nemesis !== undefined) {
    if (!Array.isArray(nemesis) || nemesis.length > 16) bad(`${f}.nemesis`, 'must be a list of at most 16 steps')
    spec.nemesis = nemesis.map(nemesisStep)
  }
  return spec
}

function checkHistory(raw: unknown): HistoryParams {
  const o = object(raw, 'checkHistory', ['ndjson'], false)
  return { ndjson: str(o, 'ndjson', 'checkHistory.ndjson', true)! }
}

function events(raw: unknown): EventsQuery | undefined {
  if (raw === undefined) return undefined
  const o = object(raw, 'events', ['sinceSeq'], true)
  return defined<EventsQuery>({ sinceSeq: int(o, 'sinceSeq', 'events.sinceSeq', 0, Number.MAX_SAFE_INTEGER, false) })
}

function logs(raw: unknown): LogsQuery | undefined {
  if (raw === undefined) return undefined
  const f = 'logs'
  const o = object(raw, f, ['node', 'level', 'text', 'sinceMs', 'untilMs', 'limit'], true)
  return defined<LogsQuery>({
    node: int(o, 'node', `${f}.node`, 1, MAX_NODE_ID, false),
    level: oneOf(o, 'level', `${f}.level`, LOG_LEVELS),
    text: str(o, 'text', `${f}.text`, false),
    sinceMs: num(o, 'sinceMs', `${f}.sinceMs`, 0, Number.MAX_SAFE_INTEGER, false),
    untilMs: num(o, 'untilMs', `${f}.untilMs`, 0, Number.MAX_SAFE_INTEGER, false),
    limit: int(o, 'limit', `${f}.limit`, 1, 100_000, false),
  })
}

function timeline(raw: unknown): TimelineQuery | undefined {
  if (raw === undefined) return undefined
  const o = object(raw, 'timeline', ['fromMs', 'toMs'], true)
  return defined<TimelineQuery>({
    fromMs: num(o, 'fromMs', 'timeline.fromMs', 0, Number.MAX_SAFE_INTEGER, false),
    toMs: num(o, 'toMs', 'timeline.toMs', 0, Number.MAX_SAFE_INTEGER, false),
  })
}

function exportBundle(raw: unknown): ExportParams | undefined {
  if (raw === undefined) return undefined
  const o = object(raw, 'exportBundle', ['path'], true)
  return defined<ExportParams>({ path: str(o, 'path', 'exportBundle.path', false, true) })
}

const VALIDATORS: { [M in ControlMethodName]: (raw: unknown) => ParamsOf<M> } = {
  launch,
  shutdown: (raw) => none(raw, 'shutdown'),
  attach,
  detach: (raw) => none(raw, 'detach'),
  kill: (raw) => nodeRef(raw, 'kill'),
  stop: (raw) => nodeRef(raw, 'stop'),
  start: (raw) => nodeRef(raw, 'start'),
  restart: (raw) => nodeRef(raw, 'restart'),
  pause: (raw) => nodeRef(raw, 'pause'),
  resume: (raw) => nodeRef(raw, 'resume'),
  partition,
  isolate: (raw) => nodeRef(raw, 'isolate'),
  heal: (raw) => none(raw, 'heal'),
  setLinkFaults,
  addNode: (raw) => none(raw, 'addNode'),
  removeNode: (raw) => nodeRef(raw, 'removeNode'),
  transferLeader: (raw) => nodeRef(raw, 'transferLeader'),
  get: (raw) => keyParams(raw, 'get'),
  put,
  delete: (raw) => keyParams(raw, 'delete'),
  scan,
  startWorkload,
  stopWorkload: (raw) => none(raw, 'stopWorkload'),
  checkHistory,
  status: (raw) => none(raw, 'status'),
  events,
  logs,
  timeline,
  exportBundle,
}

/** The method's params checked and copied (no unknown keys, no undefined members), or BAD_ARGUMENT. */
export function validateParams<M extends ControlMethodName>(method: M, raw: unknown): ParamsOf<M> {
  return VALIDATORS[method](raw)
}
