// Argument checks of the control API: every method's params come in as `unknown` (from
// JSON-RPC, IPC or a test) and leave typed, or the call fails with BAD_ARGUMENT before
// anything changes. Checks that need the cluster (unknown ids, membership) are the
// Controller's.
import { ControlError } from './errors.js'
import type {
  AttachSpec, ControlMethodName, ControlMethods, EventsQuery, ExportParams, HistoryParams, KeyParams, KvEncoding, LaunchSpec,
  LinkFaultsSpec, LogLevel, LogsQuery, NemesisKind, NemesisStep, NodeRef, PartitionSpec, PutParams, ScanParams,
  TimelineQuery, WorkloadSpec,
} from './types.js'

export const MAX_NODES = 9
const MAX_KEY_BYTES = 64 * 1024
const MAX_VALUE_BYTES = 8 * 1024 * 1024

function bad(message: string): ControlError {
  return new ControlError('BAD_ARGUMENT', message)
}

type Obj = Record<string, unknown>

/** params must be an object (or absent when `optional`) with only the named keys. */
function object(v: unknown, what: string, keys: readonly string[], optional = false): Obj {
  if (v === undefined || v === null) {
    if (optional) return {}
    throw bad(`${what}: params must be an object`)
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(`${what}: params must be an object`)
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw bad(`${what}: unknown field "${k}"`)
  return v as Obj
}

function int(o: Obj, key: string, what: string, min: number, max: number, required: true): number
function int(o: Obj, key: string, what: string, min: number, max: number, required?: false): number | undefined
function int(o: Obj, key: string, what: string, min: number, max: number, required = false): number | undefined {
  const v = o[key]
  if (v === undefined) {
    if (required) throw bad(`${what}: ${key} is required`)
    return undefined
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw bad(`${what}: ${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v) ?? String(v)}`)
  return v
}

function num(o: Obj, key: string, what: string, min: number, max: number): number | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw bad(`${what}: ${key} must be a number in [${min}, ${max}], got ${JSON.stringify(v) ?? String(v)}`)
  return v
}

function str(o: Obj, key: string, what: string, required: true): string
function str(o: Obj, key: string, what: string, required?: false): string | undefined
function str(o: Obj, key: string, what: string, required = false): string | undefined {
  const v = o[key]
  if (v === undefined) {
    if (required) throw bad(`${what}: ${key} is required`)
    return undefined
  }
  if (typeof v !== 'string') throw bad(`${what}: ${key} must be a string`)
  return v
}

function bool(o: Obj, key: string, what: string): boolean | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') throw bad(`${what}: ${key} must be true or false`)
  return v
}

/** Node ids are positive integers (whether the cluster has it is the Controller's check). */
export function nodeId(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw bad(`${what}: ${JSON.stringify(v) ?? String(v)} is not a node id (a positive integer)`)
  return v
}

export function validateLaunch(v: unknown): LaunchSpec {
  const w = 'launch'
  const o = object(v, w, ['nodes', 'dataDir', 'basePort', 'tickMs', 'electionTick', 'heartbeatTick', 'gcCountLimit', 'snapshotChunkBytes', 'snapshotRateLimitMiBps'], true)
  const spec: LaunchSpec = {}
  const nodes = int(o, 'nodes', w, 1, MAX_NODES)
  if (nodes !== undefined) spec.nodes = nodes
  const dataDir = str(o, 'dataDir', w)
  if (dataDir !== undefined) {
    if (dataDir.trim() === '' || dataDir.includes('\0')) throw bad(`${w}: dataDir must be a folder path`)
    spec.dataDir = dataDir
  }
  const basePort = int(o, 'basePort', w, 1024, 65535)
  if (basePort !== undefined) spec.basePort = basePort
  const tickMs = int(o, 'tickMs', w, 1, 10_000)
  if (tickMs !== undefined) spec.tickMs = tickMs
  const electionTick = int(o, 'electionTick', w, 2, 1000)
  if (electionTick !== undefined) spec.electionTick = electionTick
  const heartbeatTick = int(o, 'heartbeatTick', w, 1, 999)
  if (heartbeatTick !== undefined) spec.heartbeatTick = heartbeatTick
  if ((heartbeatTick ?? 2) >= (electionTick ?? 10)) throw bad(`${w}: heartbeatTick must be smaller than electionTick`)
  const gc = int(o, 'gcCountLimit', w, 1, 1e9)
  if (gc !== undefined) spec.gcCountLimit = gc
  const chunk = int(o, 'snapshotChunkBytes', w, 1024, 64 * 1024 * 1024)
  if (chunk !== undefined) spec.snapshotChunkBytes = chunk
  const rate = num(o, 'snapshotRateLimitMiBps', w, 0, 1e6)
  if (rate !== undefined) spec.snapshotRateLimitMiBps = rate
  return spec
}

export function validateAttach(v: unknown): AttachSpec {
  const w = 'attach'
  const o = object(v, w, ['endpoints', 'token'])
  const e = o.endpoints
  if (!Array.isArray(e) || e.length === 0 || e.length > MAX_NODES) throw bad(`${w}: endpoints must be 1..${MAX_NODES} host:port strings`)
  for (const x of e) if (typeof x !== 'string' || !/^[^:\s]+:\d{1,5}$/.test(x) || Number(x.slice(x.lastIndexOf(':') + 1)) > 65535) throw bad(`${w}: "${String(x)}" is not host:port`)
  if (new Set(e).size !== e.length) throw bad(`${w}: an endpoint is listed twice`)
  const token = str(o, 'token', w, true)
  if (token === '' || /[\r\n]/.test(token)) throw bad(`${w}: token must be a non-empty single-line string`)
  return { endpoints: e as string[], token }
}

export function validateNodeRef(v: unknown, what: string): NodeRef {
  const o = object(v, what, ['id'])
  return { id: nodeId(o.id, what) }
}

export function validatePartition(v: unknown): PartitionSpec {
  const w = 'partition'
  const o = object(v, w, ['groups'])
  const g = o.groups
  if (!Array.isArray(g) || g.length < 2) throw bad(`${w}: groups must be an array of at least two groups`)
  const seen = new Set<number>()
  const groups = g.map((grp, i) => {
    if (!Array.isArray(grp) || grp.length === 0) throw bad(`${w}: group ${i} must be a non-empty array of node ids`)
    return grp.map((x) => {
      const id = nodeId(x, w)
      if (seen.has(id)) throw bad(`${w}: node ${id} is in more than one group`)
      seen.add(id)
      return id
    })
  })
  return { groups }
}

export function validateLinkFaults(v: unknown): LinkFaultsSpec {
  const w = 'setLinkFaults'
  const o = object(v, w, ['from', 'to', 'dropRate', 'delayMs', 'jitterMs', 'oneWay'])
  const from = nodeId(o.from, `${w} from`)
  const to = nodeId(o.to, `${w} to`)
  if (from === to) throw bad(`${w}: from and to must be different nodes`)
  const spec: LinkFaultsSpec = { from, to }
  const dropRate = num(o, 'dropRate', w, 0, 1)
  if (dropRate !== undefined) spec.dropRate = dropRate
  const delayMs = int(o, 'delayMs', w, 0, 60_000)
  if (delayMs !== undefined) spec.delayMs = delayMs
  const jitterMs = int(o, 'jitterMs', w, 0, 60_000)
  if (jitterMs !== undefined) spec.jitterMs = jitterMs
  const oneWay = bool(o, 'oneWay', w)
  if (oneWay !== undefined) spec.oneWay = oneWay
  return spec
}

function encoding(o: Obj, w: string): KvEncoding | undefined {
  const e = o.encoding
  if (e === undefined) return undefined
  if (e !== 'utf8' && e !== 'base64') throw bad(`${w}: encoding must be "utf8" or "base64"`)
  return e
}

/** The bytes of a key or value as given (base64 checked strictly). */
export function decodeBytes(s: string, enc: KvEncoding | undefined, what: string): Buffer {
  if (enc !== 'base64') return Buffer.from(s, 'utf8')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw bad(`${what} is not valid base64`)
  return Buffer.from(s, 'base64')
}

function key(o: Obj, name: string, w: string, enc: KvEncoding | undefined, allowEmpty = false): string {
  const k = str(o, name, w, true)
  const b = decodeBytes(k, enc, `${w}: ${name}`)
  if (!allowEmpty && b.length === 0) throw bad(`${w}: ${name} must not be empty`)
  if (b.length > MAX_KEY_BYTES) throw bad(`${w}: ${name} is longer than ${MAX_KEY_BYTES} bytes`)
  return k
}

export function validateKey(v: unknown, w: string): KeyParams {
  const o = object(v, w, ['key', 'encoding'])
  const enc = encoding(o, w)
  const p: KeyParams = { key: key(o, 'key', w, enc) }
  if (enc !== undefined) p.encoding = enc
  return p
}

export function validatePut(v: unknown): PutParams {
  const w = 'put'
  const o = object(v, w, ['key', 'value', 'encoding'])
  const enc = encoding(o, w)
  const value = str(o, 'value', w, true)
  if (decodeBytes(value, enc, `${w}: value`).length > MAX_VALUE_BYTES) throw bad(`${w}: value is larger than ${MAX_VALUE_BYTES} bytes`)
  const p: PutParams = { key: key(o, 'key', w, enc), value }
  if (enc !== undefined) p.encoding = enc
  return p
}

export function validateScan(v: unknown): ScanParams {
  const w = 'scan'
  const o = object(v, w, ['start', 'end', 'limit', 'encoding'])
  const enc = encoding(o, w)
  const p: ScanParams = { start: key(o, 'start', w, enc, true), end: key(o, 'end', w, enc, true) }
  const limit = int(o, 'limit', w, 1, 10_000)
  if (limit !== undefined) p.limit = limit
  if (enc !== undefined) p.encoding = enc
  return p
}

export function validateEvents(v: unknown): EventsQuery {
  const o = object(v, 'events', ['sinceSeq'], true)
  const sinceSeq = int(o, 'sinceSeq', 'events', 0, Number.MAX_SAFE_INTEGER)
  return sinceSeq === undefined ? {} : { sinceSeq }
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']

export function validateLogs(v: unknown): LogsQuery {
  const w = 'logs'
  const o = object(v, w, ['node', 'level', 'text', 'sinceMs', 'untilMs', 'limit'], true)
  const q: LogsQuery = {}
  if (o.node !== undefined) q.node = nodeId(o.node, w)
  if (o.level !== undefined) {
    if (!LEVELS.includes(o.level as LogLevel)) throw bad(`${w}: level must be one of ${LEVELS.join(', ')}`)
    q.level = o.level as LogLevel
  }
  const text = str(o, 'text', w)
  if (text !== undefined) q.text = text
  const since = num(o, 'sinceMs', w, 0, Number.MAX_SAFE_INTEGER)
  if (since !== undefined) q.sinceMs = since
  const until = num(o, 'untilMs', w, 0, Number.MAX_SAFE_INTEGER)
  if (until !== undefined) q.untilMs = until
  const limit = int(o, 'limit', w, 1, 100_000)
  if (limit !== undefined) q.limit = limit
  return q
}

export function validateTimeline(v: unknown): TimelineQuery {
  const w = 'timeline'
  const o = object(v, w, ['fromMs', 'toMs'], true)
  const q: TimelineQuery = {}
  const from = num(o, 'fromMs', w, 0, Number.MAX_SAFE_INTEGER)
  if (from !== undefined) q.fromMs = from
  const to = num(o, 'toMs', w, 0, Number.MAX_SAFE_INTEGER)
  if (to !== undefined) q.toMs = to
  if (from !== undefined && to !== undefined && from > to) throw bad(`${w}: fromMs is after toMs`)
  return q
}

/** Methods that take no params accept none (or an empty object). */
export function validateNoParams(v: unknown, what: string): void {
  object(v, what, [], true)
}

const MAX_MS = 24 * 3600 * 1000
const NEMESIS_KINDS: readonly NemesisKind[] = ['kill', 'pause', 'partition', 'isolate-leader']

function nemesisStep(raw: unknown, i: number): NemesisStep {
  const w = `startWorkload: nemesis[${i}]`
  const o = object(raw, w, ['kind', 'everyMs', 'forMs'])
  const kind = str(o, 'kind', w, true)
  if (!(NEMESIS_KINDS as readonly string[]).includes(kind)) throw bad(`${w}: kind must be one of ${NEMESIS_KINDS.join(', ')}`)
  const everyMs = int(o, 'everyMs', w, 1, MAX_MS, true)
  const forMs = int(o, 'forMs', w, 0, MAX_MS, true)
  if (forMs >= everyMs) throw bad(`${w}: forMs must be shorter than everyMs`)
  return { kind: kind as NemesisKind, everyMs, forMs }
}

export function validateWorkload(v: unknown): WorkloadSpec {
  const w = 'startWorkload'
  const o = object(v, w, ['clients', 'durationMs', 'keys', 'getRatio', 'nemesis'])
  const spec: WorkloadSpec = {
    clients: int(o, 'clients', w, 1, 256, true),
    durationMs: int(o, 'durationMs', w, 1, MAX_MS, true),
    keys: int(o, 'keys', w, 1, 1_000_000, true),
    getRatio: num(o, 'getRatio', w, 0, 1) ?? (() => { throw bad(`${w}: getRatio is required`) })(),
  }
  const nemesis = o.nemesis
  if (nemesis !== undefined) {
    if (!Array.isArray(nemesis) || nemesis.length > 16) throw bad(`${w}: nemesis must be a list of at most 16 steps`)
    spec.nemesis = nemesis.map(nemesisStep)
  }
  return spec
}

export function validateHistory(v: unknown): HistoryParams {
  const o = object(v, 'checkHistory', ['ndjson'])
  return { ndjson: str(o, 'ndjson', 'checkHistory', true) }
}

export function validateExport(v: unknown): ExportParams {
  const o = object(v, 'exportBundle', ['path'], true)
  const path = str(o, 'path', 'exportBundle')
  if (path === '') throw bad('exportBundle: path must not be empty')
  return path === undefined ? {} : { path }
}

/** The params of one method as its signature declares them. */
export type ParamsOf<M extends ControlMethodName> = Parameters<ControlMethods[M]>[0]

const noParams = (what: string) => (raw: unknown): undefined => {
  validateNoParams(raw, what)
  return undefined
}

const VALIDATORS: { [M in ControlMethodName]: (raw: unknown) => ParamsOf<M> } = {
  launch: validateLaunch,
  shutdown: noParams('shutdown'),
  attach: validateAttach,
  detach: noParams('detach'),
  kill: (raw) => validateNodeRef(raw, 'kill'),
  stop: (raw) => validateNodeRef(raw, 'stop'),
  start: (raw) => validateNodeRef(raw, 'start'),
  restart: (raw) => validateNodeRef(raw, 'restart'),
  pause: (raw) => validateNodeRef(raw, 'pause'),
  resume: (raw) => validateNodeRef(raw, 'resume'),
  partition: validatePartition,
  isolate: (raw) => validateNodeRef(raw, 'isolate'),
  heal: noParams('heal'),
  setLinkFaults: validateLinkFaults,
  addNode: noParams('addNode'),
  removeNode: (raw) => validateNodeRef(raw, 'removeNode'),
  transferLeader: (raw) => validateNodeRef(raw, 'transferLeader'),
  get: (raw) => validateKey(raw, 'get'),
  put: validatePut,
  delete: (raw) => validateKey(raw, 'delete'),
  scan: validateScan,
  startWorkload: validateWorkload,
  stopWorkload: noParams('stopWorkload'),
  checkHistory: validateHistory,
  status: noParams('status'),
  events: validateEvents,
  logs: validateLogs,
  timeline: validateTimeline,
  exportBundle: validateExport,
}

/** One method's params checked and copied (no unknown keys), or BAD_ARGUMENT: for IPC and JSON-RPC doors. */
export function validateParams<M extends ControlMethodName>(method: M, raw: unknown): ParamsOf<M> {
  return VALIDATORS[method](raw)
}
