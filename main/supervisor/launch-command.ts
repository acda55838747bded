// How a node process is started: the program and the arguments before the node's own
// flags. Here that is plain `node out/node/raftkv/server/main.js`; the packaged app runs
// the Electron binary with ELECTRON_RUN_AS_NODE=1 on the same built entry.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ControlError } from '../control/errors.js'

export interface LaunchCommand {
  /** The executable (node, or Electron's binary). */
  command: string
  /** Arguments before the node's flags: Node.js flags, then the entry script. */
  args: string[]
  /** Extra environment (e.g. ELECTRON_RUN_AS_NODE=1). */
  env?: Record<string, string>
}

/** The repository root, from this module's place in main/supervisor (source or out/node). */
function repoRoot(): string {
  const here = import.meta.dirname
  const up = resolve(here, '..', '..')
  return up.endsWith(join('out', 'node')) ? resolve(up, '..', '..') : up
}

/** The built node entry: out/node/raftkv/server/main.js (`npm run build:node`). */
export function builtNodeEntry(root = repoRoot()): string {
  return join(root, 'out', 'node', 'raftkv', 'server', 'main.js')
}

/** `node [nodeFlags] out/node/raftkv/server/main.js`; fails clearly when nothing is built. */
export function plainNodeCommand(nodeFlags: string[] = []): LaunchCommand {
  const entry = builtNodeEntry()
  if (!existsSync(entry)) throw new ControlError('NOT_SUPPORTED', `no built node entry at ${entry}: run \`npm run build:node\` first`)
  return { command: process.execPath, args: [...nodeFlags, entry] }
}

/** The packaged app: Electron's own binary run as plain Node on the built entry. */
export function electronAsNodeCommand(electronBinary: string, entry: string): LaunchCommand {
  return { command: electronBinary, args: [entry], env: { ELECTRON_RUN_AS_NODE: '1' } }
}
