// The cluster's events: numbered in order (seq), time-stamped, kept in memory up to a
// bound and appended to events.ndjson in the cluster's folder (complete on disk).
import { createWriteStream, type WriteStream } from 'node:fs'
import type { ClusterEvent, ClusterEventKind } from '../control/types.js'
import { flushStream } from './flush-stream.js'

export type EventListener = (e: ClusterEvent) => void

export class EventLog {
  private readonly ring: ClusterEvent[] = []
  private readonly listeners = new Set<EventListener>()
  private seq = 0
  private file: WriteStream | undefined

  constructor(private readonly maxInMemory = 20_000) {}

  /** Events from now on are also appended to this file (null: memory only). */
  setFile(path: string | null): void {
    this.file?.end()
    this.file = path === null ? undefined : createWriteStream(path, { flags: 'a' })
    this.file?.on('error', () => {})
  }

  add(kind: ClusterEventKind, node: number | undefined, detail: Record<string, unknown>, term?: number): ClusterEvent {
    const e: ClusterEvent = { seq: ++this.seq, timeMs: Date.now(), kind, detail }
    if (node !== undefined) e.node = node
    if (term !== undefined) e.term = term
    this.ring.push(e)
    if (this.ring.length > this.maxInMemory) this.ring.splice(0, this.ring.length - this.maxInMemory)
    this.file?.write(JSON.stringify(e) + '\n')
    for (const l of this.listeners) {
      try {
        l(e)
      } catch {
        // a listener's failure is its own
      }
    }
    return e
  }

  /** Events with seq > sinceSeq (all kept when absent). */
  since(sinceSeq = 0): ClusterEvent[] {
    return this.ring.filter((e) => e.seq > sinceSeq)
  }

  get lastSeq(): number {
    return this.seq
  }

  subscribe(l: EventListener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  /** Resolves when every event so far is in the file (the export reads it). */
  flush(): Promise<void> {
    return flushStream(this.file)
  }

  close(): Promise<void> {
    const f = this.file
    this.file = undefined
    return new Promise((r) => (f ? f.end(() => r()) : r()))
  }
}
