// Every node's parsed log lines, the newest `perNode` of each kept in memory for the
// Logs view and logs() queries; the node's log file on disk (written by its NodeProcess)
// has every line. Listeners get lines in batches (at most one batch per flushMs).
import type { LogLine, LogsQuery } from '../control/types.js'
import { LEVEL_RANK } from './log-line.js'

export type LogListener = (lines: LogLine[]) => void

export class LogStore {
  private readonly byNode = new Map<number, LogLine[]>()
  private readonly listeners = new Set<LogListener>()
  private pending: LogLine[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly perNode = 5000, private readonly flushMs = 100) {}

  add(line: LogLine): void {
    let lines = this.byNode.get(line.node)
    if (!lines) this.byNode.set(line.node, (lines = []))
    lines.push(line)
    if (lines.length > this.perNode * 1.25) lines.splice(0, lines.length - this.perNode)
    if (this.listeners.size === 0) return
    this.pending.push(line)
    this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }

  query(q: LogsQuery = {}): LogLine[] {
    const minRank = q.level === undefined ? 0 : LEVEL_RANK[q.level]
    const text = q.text?.toLowerCase()
    const nodes = q.node === undefined ? [...this.byNode.keys()] : [q.node]
    const out: LogLine[] = []
    for (const id of nodes) {
      for (const l of this.byNode.get(id) ?? []) {
        if (LEVEL_RANK[l.level] < minRank) continue
        if (q.sinceMs !== undefined && l.timeMs < q.sinceMs) continue
        if (q.untilMs !== undefined && l.timeMs > q.untilMs) continue
        if (text !== undefined && !l.msg.toLowerCase().includes(text) && !JSON.stringify(l.fields).toLowerCase().includes(text)) continue
        out.push(l)
      }
    }
    out.sort((a, b) => a.timeMs - b.timeMs)
    const limit = q.limit ?? 1000
    return out.length > limit ? out.slice(out.length - limit) : out
  }

  clear(): void {
    this.byNode.clear()
  }

  subscribe(l: LogListener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  close(): void {
    this.flush()
  }

  private flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    for (const l of this.listeners) {
      try {
        l(batch)
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
