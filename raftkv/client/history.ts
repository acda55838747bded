// Jepsen-style operation histories of a KV workload, one event per line (NDJSON):
//   {"type":"invoke"|"ok"|"fail"|"info","process":N,"f":"put"|"get"|"delete","key":K,"value":V,"time":T}
// time is monotonic nanoseconds since this module loaded (so one process's
// histories share a clock). A get's ok carries the value read (null when
// absent); a put's events carry the value written; a delete's value is null.
// info: the outcome is unknown (the op may take effect at any time after its
// invoke); fail: the op definitely did not take effect.
import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import type { HistoryEvent, HistoryEventType, HistoryFunction } from '../check/index.js'

export type { HistoryEvent, HistoryEventType, HistoryFunction } from '../check/index.js'

export interface HistorySink {
  record(event: HistoryEvent): void
}

const ORIGIN = process.hrtime.bigint()

/** Monotonic nanoseconds since this module loaded. */
export function monotonicNs(): number {
  return Number(process.hrtime.bigint() - ORIGIN)
}

/** Keeps the events in memory (tests, the manager). */
export class MemoryHistory implements HistorySink {
  readonly events: HistoryEvent[] = []
  record(event: HistoryEvent): void {
    this.events.push(event)
  }
}

/** Appends events to an NDJSON file; close() flushes and closes it. */
export class NdjsonHistoryFile implements HistorySink {
  readonly path: string
  private readonly stream: WriteStream
  private failure: Error | undefined

  constructor(path: string) {
    this.path = path
    this.stream = createWriteStream(path, { flags: 'w' })
    this.stream.on('error', (err) => { this.failure = err })
  }

  record(event: HistoryEvent): void {
    this.stream.write(`${JSON.stringify(event)}\n`)
  }

  async close(): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    this.stream.end()
    await once(this.stream, 'finish')
    if (this.failure !== undefined) throw this.failure
  }
}

export class HistoryFormatError extends Error {
  readonly code = 'BAD_HISTORY' as const
  readonly line: number
  constructor(line: number, message: string) {
    super(`history line ${line}: ${message}`)
    this.name = 'HistoryFormatError'
    this.line = line
  }
}

const TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info'])
const FUNCTIONS: ReadonlySet<string> = new Set(['put', 'get', 'delete'])

/** Parses NDJSON text into events, checking each field. */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    let raw: unknown
    try {
      raw = JSON.parse(line)
    } catch {
      throw new HistoryFormatError(i + 1, 'not JSON')
    }
    events.push(toEvent(raw, i + 1))
  }
  return events
}

function toEvent(raw: unknown, line: number): HistoryEvent {
  if (typeof raw !== 'object' || raw === null) throw new HistoryFormatError(line, 'not an object')
  const o = raw as Record<string, unknown>
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) throw new HistoryFormatError(line, `bad type ${JSON.stringify(o.type)}`)
  if (typeof o.f !== 'string' || !FUNCTIONS.has(o.f)) throw new HistoryFormatError(line, `bad f ${JSON.stringify(o.f)}`)
  if (typeof o.process !== 'number' || !Number.isInteger(o.process)) throw new HistoryFormatError(line, 'process is not an integer')
  if (typeof o.key !== 'string') throw new HistoryFormatError(line, 'key is not a string')
  if (o.value !== null && o.value !== undefined && typeof o.value !== 'string') throw new HistoryFormatError(line, 'value is neither a string nor null')
  if (typeof o.time !== 'number' || !Number.isFinite(o.time)) throw new HistoryFormatError(line, 'time is not a number')
  const event: HistoryEvent = {
    type: o.type as HistoryEventType,
    process: o.process,
    f: o.f as HistoryFunction,
    key: o.key,
    value: (o.value ?? null) as string | null,
    time: o.time,
  }
  if (typeof o.error === 'string') event.error = o.error
  return event
}
