// The cluster's folder: n<id>/ per node (RocksDB, snapshots), logs/n<id>.log,
// events.ndjson, timeline.ndjson and the marker file that says the folder is ours.
// A folder that exists, is not empty and has no marker belongs to someone else: refused.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ControlError } from '../control/errors.js'

export const MARKER = 'raftkv-cluster.json'

export interface ClusterDir {
  root: string
  nodeDir(id: number): string
  logFile(id: number): string
  eventsFile: string
  timelineFile: string
}

function layout(root: string): ClusterDir {
  return {
    root,
    nodeDir: (id) => join(root, `n${id}`),
    logFile: (id) => join(root, 'logs', `n${id}.log`),
    eventsFile: join(root, 'events.ndjson'),
    timelineFile: join(root, 'timeline.ndjson'),
  }
}

/**
 * Makes the folder of a new cluster: `dataDir` itself when given (it must be missing or
 * empty), else a fresh one under `parent`. Writes the marker (never the token).
 */
export function createClusterDir(dataDir: string | undefined, parent: string, marker: Record<string, unknown>): ClusterDir {
  let root: string
  if (dataDir !== undefined) {
    if (existsSync(dataDir)) {
      let entries: string[]
      try {
        entries = readdirSync(dataDir)
      } catch (e) {
        throw new ControlError('BAD_ARGUMENT', `dataDir ${dataDir} is not a readable folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
      }
      if (entries.length > 0) {
        const why = entries.includes(MARKER) ? 'holds an earlier cluster' : 'is not empty and not a RaftKV Manager folder'
        throw new ControlError('BAD_ARGUMENT', `dataDir ${dataDir} ${why}: give a missing or empty folder`)
      }
    }
    mkdirSync(dataDir, { recursive: true })
    root = dataDir
  } else {
    mkdirSync(parent, { recursive: true })
    root = mkdtempSync(join(parent, 'cluster-'))
  }
  mkdirSync(join(root, 'logs'), { recursive: true })
  writeFileSync(join(root, MARKER), JSON.stringify({ createdMs: Date.now(), ...marker }, null, 2) + '\n')
  return layout(root)
}
