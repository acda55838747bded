// A linearizability checker for KV histories (history-event.ts), after
// Wing & Gong / Lowe's search with memoization as in Porcupine:
// - the store is a set of independent registers (put / get / delete per key),
//   so the history is split by key and each key is checked alone;
// - an `ok` op took effect once between its invoke and its completion;
// - an `info` op may or may not have taken effect, at any time after its
//   invoke (its completion is taken as +infinity); an invoke never completed
//   counts as info;
// - a `fail` op took no effect and is dropped, as is an info get (it observed nothing);
// - an info write nobody could have observed (a put whose value no get read,
//   a delete when no get read "absent") is dropped before the search: it can
//   always be placed at the end, and keeping it would only multiply the states;
// - each key's search is bounded by a step budget (and the whole check by a
//   time budget): past it the key is reported "unknown", never a hang.
import type { HistoryEvent, HistoryFunction } from './history-event.js'
import { MemoTable } from './memo-table.js'

export type Verdict = 'ok' | 'illegal' | 'unknown'

export interface Operation {
  /** Position of the op's invoke in the history (0-based). */
  index: number
  process: number
  f: HistoryFunction
  key: string
  /** put: the value written; get: the value read (null: absent); delete: null. */
  value: string | null
  /** 'ok' or 'info' (fail ops are dropped before checking). */
  outcome: 'ok' | 'info'
  callNs: number
  /** +Infinity for info. */
  returnNs: number
}

export interface Violation {
  key: string
  /** The op that no linearization can place (for a get: the read that cannot be explained). */
  op: Operation
  /** One-paragraph explanation, naming the key, the op and the register state. */
  reason: string
  /** The last ops of the longest linearizable prefix found before op got stuck. */
  lastLinearized: Operation[]
}

export interface CheckOptions {
  /** Search steps allowed per key (default 2,000,000). */
  maxStepsPerKey?: number
  /** Wall-clock budget for the whole check in ms (default 60,000). */
  timeBudgetMs?: number
}

export interface CheckResult {
  verdict: Verdict
  keys: number
  operations: number
  violations: Violation[]
  /** Keys whose search ran out of budget. */
  unknownKeys: string[]
  steps: number
  /** A human summary: "linearizable", or the violations one per line. */
  explanation: string
}

/** Violations spelled out in the explanation (all are in `violations`). */
const MAX_EXPLAINED = 10

export class HistoryError extends Error {
  readonly code = 'MALFORMED_HISTORY' as const
  readonly eventIndex: number
  constructor(eventIndex: number, message: string) {
    super(`history event ${eventIndex}: ${message}`)
    this.name = 'HistoryError'
    this.eventIndex = eventIndex
  }
}

/** Pairs invokes with their completions (by process) into operations, fail ops dropped. */
export function historyOperations(events: readonly HistoryEvent[]): Operation[] {
  const pending = new Map<number, { event: HistoryEvent; index: number }>()
  const ops: Operation[] = []
  events.forEach((event, i) => {
    if (event.type === 'invoke') {
      if (pending.has(event.process)) throw new HistoryError(i, `process ${event.process} invokes while its previous op is still open`)
      pending.set(event.process, { event, index: i })
      return
    }
    const open = pending.get(event.process)
    if (open === undefined) throw new HistoryError(i, `${event.type} of process ${event.process} without an invoke`)
    if (open.event.f !== event.f || open.event.key !== event.key) {
      throw new HistoryError(i, `${event.type} ${event.f} ${JSON.stringify(event.key)} does not match the invoke ${open.event.f} ${JSON.stringify(open.event.key)} of process ${event.process}`)
    }
    if (event.time < open.event.time) throw new HistoryError(i, 'completion before its invoke')
    pending.delete(event.process)
    if (event.type === 'fail') return
    const inv = open.event
    if (event.type === 'info' && inv.f === 'get') return
    ops.push({
      index: open.index,
      process: inv.process,
      f: inv.f,
      key: inv.key,
      value: inv.f === 'get' ? event.value : inv.f === 'put' ? inv.value : null,
      outcome: event.type,
      callNs: inv.time,
      returnNs: event.type === 'ok' ? event.time : Infinity,
    })
  })
  // Ops never completed: the client died with them in doubt.
  for (const { event, index } of pending.values()) {
    if (event.f === 'get') continue
    ops.push({ index, process: event.process, f: event.f, key: event.key, value: event.f === 'put' ? event.value : null, outcome: 'info', callNs: event.time, returnNs: Infinity })
  }
  return ops
}

export function checkLinearizability(events: readonly HistoryEvent[], options: CheckOptions = {}): CheckResult {
  const maxSteps = options.maxStepsPerKey ?? 2_000_000
  const deadline = performance.now() + (options.timeBudgetMs ?? 60_000)
  const byKey = new Map<string, Operation[]>()
  const ops = historyOperations(events)
  for (const op of ops) {
    let list = byKey.get(op.key)
    if (list === undefined) byKey.set(op.key, (list = []))
    list.push(op)
  }
  const violations: Violation[] = []
  const unknownKeys: string[] = []
  let steps = 0
  for (const [key, keyOps] of [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const impossible = impossibleRead(key, keyOps)
    if (impossible !== undefined) {
      violations.push(impossible)
      continue
    }
    const result = checkRegister(key, withoutUnobservedInfo(keyOps), maxSteps, deadline)
    steps += result.steps
    if (result.verdict === 'illegal') violations.push(result.violation!)
    else if (result.verdict === 'unknown') unknownKeys.push(key)
  }
  const verdict: Verdict = violations.length > 0 ? 'illegal' : unknownKeys.length > 0 ? 'unknown' : 'ok'
  const explanation =
    verdict === 'ok' ? `linearizable: ${ops.length} operations on ${byKey.size} keys`
      : verdict === 'unknown' ? `unknown: the search ran out of budget on ${unknownKeys.length} key(s): ${unknownKeys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}`
        : `not linearizable (${violations.length} key(s)):\n` + violations.slice(0, MAX_EXPLAINED).map((v) => `- ${v.reason}`).join('\n') +
          (violations.length > MAX_EXPLAINED ? `\n- ... and ${violations.length - MAX_EXPLAINED} more key(s)` : '')
  return { verdict, keys: byKey.size, operations: ops.length, violations, unknownKeys, steps, explanation }
}

/** A get that read a value no put of that key ever wrote, or one written only after the read returned. */
function impossibleRead(key: string, ops: readonly Operation[]): Violation | undefined {
  const firstWrite = new Map<string, Operation>()
  for (const op of ops) {
    if (op.f !== 'put' || op.value === null) continue
    const seen = firstWrite.get(op.value)
    if (seen === undefined || op.callNs < seen.callNs) firstWrite.set(op.value, op)
  }
  for (const op of ops) {
    if (op.f !== 'get' || op.value === null) continue
    const writer = firstWrite.get(op.value)
    if (writer === undefined) {
      return { key, op, lastLinearized: [], reason: `key ${JSON.stringify(key)}: ${describe(op)} read a value that no put of this key wrote` }
    }
    if (writer.callNs > op.returnNs) {
      return { key, op, lastLinearized: [writer], reason: `key ${JSON.stringify(key)}: ${describe(op)} read a value first written by ${describe(writer)}, invoked only after the read had returned` }
    }
  }
  return undefined
}

/**
 * The key's ops less the info writes whose effect no read could have seen, and
 * with each remaining info put due by the first return of a get that read it
 * (values are unique, so that get must come after the put).
 */
function withoutUnobservedInfo(ops: readonly Operation[]): Operation[] {
  const firstReadReturn = new Map<string | null, number>()
  for (const op of ops) {
    if (op.f !== 'get') continue
    firstReadReturn.set(op.value, Math.min(op.returnNs, firstReadReturn.get(op.value) ?? Infinity))
  }
  return ops
    .filter((op) => op.outcome === 'ok' || firstReadReturn.has(op.value))
    .map((op) => (op.outcome === 'info' && op.f === 'put' ? { ...op, returnNs: firstReadReturn.get(op.value)! } : op))
}

interface RegisterResult {
  verdict: Verdict
  steps: number
  violation?: Violation
}

/** The WGL search on one key's register. */
function checkRegister(key: string, ops: readonly Operation[], maxSteps: number, deadline: number): RegisterResult {
  const n = ops.length
  // Entries 1..2n in time order (calls before returns at equal times: overlapping, the lenient reading);
  // entry 0 is the list head. Entry e belongs to op opOf[e]; isCall[e] tells which end.
  const order: { op: number; call: boolean; time: number }[] = []
  ops.forEach((op, i) => {
    order.push({ op: i, call: true, time: op.callNs })
    order.push({ op: i, call: false, time: op.returnNs })
  })
  // (Compare, never subtract: info returns are all +Infinity.)
  order.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.call === b.call ? 0 : a.call ? -1 : 1))
  const size = order.length + 1
  const opOf = new Int32Array(size)
  const isCall = new Uint8Array(size)
  const match = new Int32Array(size)
  const next = new Int32Array(size).fill(-1)
  const prev = new Int32Array(size).fill(-1)
  const callEntry = new Int32Array(n)
  order.forEach((entry, i) => {
    const e = i + 1
    opOf[e] = entry.op
    isCall[e] = entry.call ? 1 : 0
    if (entry.call) callEntry[entry.op] = e
    else match[callEntry[entry.op]!] = e
    prev[e] = e - 1
    next[e - 1] = e
  })
  const unlink = (e: number): void => {
    next[prev[e]!] = next[e]!
    if (next[e] !== -1) prev[next[e]!] = prev[e]!
  }
  const relink = (e: number): void => {
    next[prev[e]!] = e
    if (next[e] !== -1) prev[next[e]!] = e
  }

  // Register states interned as small integers: 0 is "absent".
  const stateIds = new Map<string, number>()
  const stateNames: (string | null)[] = [null]
  const stateOf = (value: string | null): number => {
    if (value === null) return 0
    let id = stateIds.get(value)
    if (id === undefined) {
      id = stateNames.length
      stateIds.set(value, id)
      stateNames.push(value)
    }
    return id
  }
  // Puts whose value no get read share one state, UNREAD: which of them wrote last is unobservable.
  const read = new Set(ops.filter((op) => op.f === 'get').map((op) => op.value))
  const UNREAD = -1
  const opValue = ops.map((op) => (op.f === 'put' && !read.has(op.value) ? UNREAD : stateOf(op.value)))

  // Memo of (set of linearized ops, register state) already explored. The set is
  // kept as a Zobrist hash (XOR of a random 96-bit tag per op) updated in O(1);
  // a collision would need two sets out of 2^96 to meet.
  const tags = zobristTags(n)
  let h0 = 0
  let h1 = 0
  let h2 = 0
  const toggle = (i: number): void => {
    h0 ^= tags[3 * i]!
    h1 ^= tags[3 * i + 1]!
    h2 ^= tags[3 * i + 2]!
  }
  const cache = new MemoTable(n)
  // The search is a stack of levels. A level is a configuration (the ops linearized
  // so far, the state) with the candidates for the next op: the calls that precede
  // every pending return in the list. Its `taken` op is the one being explored.
  interface Level {
    state: number
    candidates: number[]
    next: number
    taken: number
  }
  // Values are unique, so every read of the current value lies between its put and
  // the next write: no write may go while a read of the current value is still to come.
  // (A value written twice, which a client never does, turns this rule off for that value.)
  const readers = new Int32Array(stateNames.length)
  const readersDone = new Int32Array(stateNames.length)
  const writers = new Int32Array(stateNames.length)
  for (const op of ops) if (op.value !== null) (op.f === 'get' ? readers : writers)[stateOf(op.value)]!++
  const awaitedAt = new Int32Array(stateNames.length)
  let levelStamp = 0
  const makeLevel = (): Level => {
    const live: number[] = []
    const writesAllowed = state <= 0 || writers[state]! > 1 || readersDone[state] === readers[state]
    // States some pending get reads: awaitedAt[state] === this level's stamp (no Set per level).
    const stamp = ++levelStamp
    let deadPut = -1
    let del = -1
    for (let e = next[0]!; e !== -1 && isCall[e]; e = next[e]!) {
      const i = opOf[e]!
      const f = ops[i]!.f
      if (f === 'get') {
        // A get that can take effect now and reads the current state may be linearized
        // first without loss of generality: a forced move, nothing to branch on.
        if (opValue[i] === state) return { state, candidates: [e], next: 0, taken: -1 }
        if (opValue[i]! >= 0) awaitedAt[opValue[i]!] = stamp
      } else if (!writesAllowed) {
        continue
      } else if (f === 'delete') {
        // Deletes all have the same effect: if one can go next, the one whose return comes
        // first can (swap them), so it is the only one tried. Likewise for the puts whose
        // value nobody read, which all leave the same unreadable state.
        if (del === -1 || match[e]! < match[del]!) del = e
      } else if (opValue[i] === UNREAD) {
        if (deadPut === -1 || match[e]! < match[deadPut]!) deadPut = e
      } else {
        live.push(e)
      }
    }
    // Try first the puts that a waiting get reads, then by soonest return.
    const candidates = live
    if (deadPut !== -1) candidates.push(deadPut)
    if (del !== -1) candidates.push(del)
    const rank = (e: number): number => (opValue[opOf[e]!]! >= 0 && awaitedAt[opValue[opOf[e]!]!] === stamp ? 0 : 1)
    candidates.sort((x, y) => rank(x) - rank(y) || x - y)
    return { state, candidates, next: 0, taken: -1 }
  }
  /** The op whose return ends the current candidates: it had to be linearized by then. */
  const firstPendingReturn = (): number => {
    let e = next[0]!
    while (isCall[e]) e = next[e]!
    return opOf[e]!
  }

  const stack: Level[] = []
  let state = 0
  let level = makeLevel()
  let steps = 0
  let bestDepth = -1
  let bestBlocked = -1
  let bestPendingReader = -1
  let bestLastWrite = -1
  let bestTail: number[] = []
  const done = new Uint8Array(n)

  for (;;) {
    if (next[0] === -1) return { verdict: 'ok', steps }
    if (++steps > maxSteps || (steps % 4096 === 0 && performance.now() > deadline)) return { verdict: 'unknown', steps }
    if (level.next < level.candidates.length) {
      const e = level.candidates[level.next++]!
      const i = opOf[e]!
      // The register model: put sets, delete clears, a (forced) get keeps the state.
      const f = ops[i]!.f
      const newState = f === 'put' ? opValue[i]! : f === 'delete' ? 0 : state
      toggle(i)
      if (!cache.add(newState, h0, h1, h2)) {
        toggle(i)
        continue
      }
      done[i] = 1
      if (f === 'get' && state > 0) readersDone[state]!++
      level.taken = e
      stack.push(level)
      state = newState
      unlink(e)
      unlink(match[e]!)
      level = makeLevel()
      continue
    }
    // No candidate left: this configuration is dead.
    if (stack.length > bestDepth) {
      bestDepth = stack.length
      bestBlocked = firstPendingReturn()
      bestPendingReader = -1
      if (ops[bestBlocked]!.f !== 'get' && state > 0) {
        // The write could not go because a read of the current value is still to come.
        bestPendingReader = ops.findIndex((op, i) => op.f === 'get' && opValue[i] === state && !done[i])
      }
      bestTail = stack.slice(-5).map((l) => opOf[l.taken]!)
      bestLastWrite = -1
      for (let d = stack.length - 1; d >= 0 && bestLastWrite === -1; d--) {
        if (ops[opOf[stack[d]!.taken]!]!.f !== 'get') bestLastWrite = opOf[stack[d]!.taken]!
      }
    }
    const previous = stack.pop()
    if (previous === undefined) break
    const e = previous.taken
    toggle(opOf[e]!)
    done[opOf[e]!] = 0
    relink(match[e]!)
    relink(e)
    state = previous.state
    if (ops[opOf[e]!]!.f === 'get' && state > 0) readersDone[state]!--
    level = previous
  }

  const blocked = ops[bestBlocked]!
  const tail = bestTail.map((i) => ops[i]!)
  const lastWrite = bestLastWrite === -1 ? undefined : ops[bestLastWrite]!
  const held = lastWrite === undefined ? 'absent (never written)'
    : lastWrite.f === 'delete' ? `absent (deleted by ${describe(lastWrite)})`
      : `${quote(lastWrite.value!)} (written by ${describe(lastWrite)})`
  let op = blocked
  let what: string
  if (bestPendingReader >= 0) {
    op = ops[bestPendingReader]!
    what = `${describe(op)} cannot be placed: a read of that value must come before the next write, but ${describe(blocked)} had to take effect first, by its return`
  } else if (blocked.f === 'get') {
    what = `${describe(blocked)} cannot be placed: in the longest linearizable prefix (${bestDepth} ops) the key holds ${held} when this read must take effect`
  } else {
    what = `${describe(blocked)} cannot be placed after the longest linearizable prefix (${bestDepth} ops; the key holds ${held})`
  }
  const last = tail.length > 0 ? `; last linearized: ${tail.map(describe).join(', ')}` : ''
  return { verdict: 'illegal', steps, violation: { key, op, lastLinearized: tail, reason: `key ${JSON.stringify(key)}: ${what}${last}` } }
}

/** Three pseudo-random 32-bit tags per op (splitmix32 of the index: the same on every run). */
function zobristTags(n: number): Int32Array {
  const tags = new Int32Array(3 * n)
  for (let i = 0; i < tags.length; i++) {
    let z = (i + 1) * 0x9e3779b9
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    tags[i] = z ^ (z >>> 16)
  }
  return tags
}

/** Long values are cut (a load generator's values are unique in their first bytes). */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
}

function describe(op: Operation): string {
  const ms = (ns: number): string => (Number.isFinite(ns) ? (ns / 1e6).toFixed(3) : '∞')
  const value = op.value === null ? (op.f === 'get' ? ' → absent' : '') : op.f === 'get' ? ` → ${quote(op.value)}` : ` ${quote(op.value)}`
  return `${op.f}${value} by process ${op.process} (${op.outcome}, event ${op.index}, ${ms(op.callNs)}..${ms(op.returnNs)} ms)`
}
