// The marker a removed node keeps in its data dir (REMOVED, one JSON object), so that it
// stays a tombstone across restarts instead of rejoining a cluster that dropped it.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Tombstone {
  /** How the node learned it was removed. */
  reason: string
  /** When (ms since the epoch). */
  at: number
}

const FILE = 'REMOVED'

export function readTombstone(dataDir: string): Tombstone | undefined {
  let text: string
  try {
    text = readFileSync(join(dataDir, FILE), 'utf8')
  } catch {
    return undefined
  }
  try {
    const t = JSON.parse(text) as Partial<Tombstone>
    return { reason: typeof t.reason === 'string' ? t.reason : 'removed', at: typeof t.at === 'number' ? t.at : 0 }
  } catch {
    return { reason: 'removed (unreadable marker)', at: 0 }
  }
}

export function writeTombstone(dataDir: string, t: Tombstone): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(t)}\n`)
}
