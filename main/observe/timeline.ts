// The recorded timeline: ClusterView samples for replay, as JSON text in a ring bounded
// by bytes (default 48 MB) and appended to timeline.ndjson (complete on disk).
// timeline(from, to) answers from memory, and from the file for what memory no longer has.
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { ClusterView, TimelineSample } from '../control/types.js'
import { flushStream } from './flush-stream.js'

interface Stored {
  timeMs: number
  json: string
}

export class Timeline {
  private ring: Stored[] = []
  private head = 0
  private bytes = 0
  private file: WriteStream | undefined
  private path: string | null = null
  private droppedFromMemory = false

  constructor(readonly maxBytes = 48 * 1024 * 1024) {}

  setFile(path: string | null): void {
    this.file?.end()
    this.path = path
    this.file = path === null ? undefined : createWriteStream(path, { flags: 'a' })
    this.file?.on('error', () => {})
  }

  record(view: ClusterView): void {
    const json = JSON.stringify({ timeMs: view.timeMs, view })
    this.ring.push({ timeMs: view.timeMs, json })
    this.bytes += json.length
    this.file?.write(json + '\n')
    while (this.bytes > this.maxBytes && this.head < this.ring.length) {
      this.bytes -= this.ring[this.head]!.json.length
      this.head++
      this.droppedFromMemory = true
    }
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head)
      this.head = 0
    }
  }

  get memoryBytes(): number {
    return this.bytes
  }

  get samples(): number {
    return this.ring.length - this.head
  }

  clear(): void {
    this.ring = []
    this.head = 0
    this.bytes = 0
    this.droppedFromMemory = false
  }

  async query(fromMs = 0, toMs = Number.POSITIVE_INFINITY): Promise<TimelineSample[]> {
    const oldest = this.ring[this.head]?.timeMs ?? Number.POSITIVE_INFINITY
    const out: TimelineSample[] = []
    if (fromMs < oldest && this.droppedFromMemory && this.path !== null && existsSync(this.path)) {
      const rl = createInterface({ input: createReadStream(this.path) })
      for await (const line of rl) {
        if (line === '') continue
        const s = JSON.parse(line) as TimelineSample
        if (s.timeMs >= oldest) break
        if (s.timeMs >= fromMs && s.timeMs <= toMs) out.push(s)
      }
      rl.close()
    }
    for (let i = this.head; i < this.ring.length; i++) {
      const s = this.ring[i]!
      if (s.timeMs >= fromMs && s.timeMs <= toMs) out.push(JSON.parse(s.json) as TimelineSample)
    }
    return out
  }

  /** Resolves when every sample so far is in the file (the export reads it). */
  flush(): Promise<void> {
    return flushStream(this.file)
  }

  close(): Promise<void> {
    const f = this.file
    this.file = undefined
    return new Promise((r) => (f ? f.end(() => r()) : r()))
  }
}
