// Where a node's start-up went: the end of each phase in ms since its process started
// (performance.now() counts from there). Reported on the node-ready line, so a slow start
// can be read from the node's log and the bench can print the breakdown.
import { performance } from 'node:perf_hooks'

export interface StartupMarks {
  /** Node.js itself booted (before any of our code was loaded). */
  bootstrapMs: number
  /** Our modules loaded and evaluated (the entry's first statement ran). */
  modulesMs?: number
  /** Options parsed, logger made: the node's start() begins (RocksDB opens next). */
  startMs?: number
  /** RocksDB and the raft log opened (PeerStorage.open done). */
  storageOpenMs?: number
  /** The server accepts connections. */
  listeningMs?: number
  /** The node-ready line is written. */
  readyMs?: number
}

export const sinceProcessStart = (): number => Math.round(performance.now())

/** Marks of this process so far: Node's bootstrap, and the entry's own moment if given. */
export function processMarks(modulesMs?: number): StartupMarks {
  const m: StartupMarks = { bootstrapMs: Math.round(performance.nodeTiming.bootstrapComplete) }
  if (modulesMs !== undefined) m.modulesMs = Math.round(modulesMs)
  return m
}
