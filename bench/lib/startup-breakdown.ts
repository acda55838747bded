// Where a restart's start-to-ready went: the phases between the marks a node puts on its
// node-ready line (ms since its process started), and the rest of the time the
// Supervisor measured (exec before Node's clock starts, the ready line's trip through
// the pipe). Medians over the restarts.
import type { StartupMarks } from '../../raftkv/server/startup-marks.js'
import { median } from './target.js'

export interface StartupBreakdown {
  /** Node.js booting, before any of our code. */
  nodeBoot: number
  /** Reading, compiling and evaluating the node's modules (the bundle, RocksDB's binding). */
  modules: number
  /** Parsing options, making the logger. */
  options: number
  /** RocksDB open, raft state and log loaded. */
  storageOpen: number
  /** Raft node, services, listening socket, driver started, up to the ready line. */
  serve: number
  /** What the Supervisor saw beyond the node's own clock: exec, and the ready line's trip. */
  outside: number
}

export function startupBreakdown(startToReadyMs: number[], marks: StartupMarks[]): StartupBreakdown {
  const m = (f: (x: StartupMarks, total: number) => number): number => median(marks.map((x, i) => f(x, startToReadyMs[i]!)))
  return {
    nodeBoot: m((x) => x.bootstrapMs),
    modules: m((x) => (x.modulesMs ?? x.bootstrapMs) - x.bootstrapMs),
    options: m((x) => (x.startMs ?? 0) - (x.modulesMs ?? 0)),
    storageOpen: m((x) => (x.storageOpenMs ?? 0) - (x.startMs ?? 0)),
    serve: m((x) => (x.readyMs ?? 0) - (x.storageOpenMs ?? 0)),
    outside: m((x, total) => total - (x.readyMs ?? 0)),
  }
}
