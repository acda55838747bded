// How a node process is started: the program and the arguments before the node's own
// flags. Here that is plain `node out/node/raftkv-node.cjs` (raftkv/server/main.ts bundled
// into one file by `npm run build:node`); the packaged app runs the Electron binary with
// ELECTRON_RUN_AS_NODE=1 on the same built entry.
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

/**
 * glibc malloc settings every node starts with. RocksDB's write batches and memtable
 * blocks are allocated on the node's JS thread; with glibc's defaults the freed memory
 * stays in the main heap (measured: 280 MB of a 390 MB RSS after 200 MB written, with
 * RocksDB itself holding 10 MB). Blocks of 128 KiB and up then come from mmap and go back
 * to the system when freed, and the heap is trimmed past 1 MiB free. Snapshot chunks
 * (SNAPSHOT_CHUNK_BYTES, raftkv/storage) are sized under the threshold: ws gives every
 * message a buffer of its own, and a fresh mmap per megabyte cost the receiver more in
 * page faults than writing the bytes.
 */
export const NODE_MALLOC_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: String(128 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(1024 * 1024),
  MALLOC_ARENA_MAX: '2',
})

/**
 * Variables of the Supervisor's environment a node is started without. NODE_EXTRA_CA_CERTS
 * makes Node read and parse the whole CA bundle before V8 starts, for TLS a node never
 * speaks (it serves ws:// on its own address): with the system bundle named there, 40 ms of
 * every start on this machine (Node's bootstrap 88 ms with it, 46 ms without).
 */
export const NODE_ENV_DROPPED: readonly string[] = Object.freeze(['NODE_EXTRA_CA_CERTS'])

/** A node's environment: the Supervisor's without NODE_ENV_DROPPED, the malloc settings, then the launch's and the caller's own. */
export function nodeProcessEnv(base: NodeJS.ProcessEnv, ...extra: (Readonly<Record<string, string>> | undefined)[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base }
  for (const name of NODE_ENV_DROPPED) delete env[name]
  return Object.assign(env, NODE_MALLOC_ENV, ...extra)
}

/**
 * V8 flags every node starts with (before the caller's own flags, which may override them:
 * the last occurrence of a V8 flag wins). V8's default lets each of the young generation's
 * two semi-spaces grow to 16 MiB under load and keeps them at idle: a node that took
 * 100k writes idled with a 46-53 MB JS heap of which 19-23 MB was in use. 2 MiB
 * semi-spaces bound the young generation to a few MiB (see the README's memory table).
 */
export const NODE_V8_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=2'])

/**
 * Added for plain Node (20, V8 11.3): optimize hot functions after an eighth of V8's default
 * interrupt budget (67584). A node serving one client runs each request's path a few hundred
 * times a second, and with the default it stayed in unoptimized code for seconds: puts at
 * one client were 20-30% faster over the first 6 s (3 runs each; the same rate once warm;
 * start-up and 64-client throughput unchanged). Electron's newer V8 (Maglev on) tiers up
 * sooner by itself and keeps its defaults: a flag it did not know would stop every node.
 */
export const PLAIN_NODE_V8_FLAGS: readonly string[] = Object.freeze([...NODE_V8_FLAGS, '--interrupt-budget=8192'])

/** The repository root, from this module's place in main/supervisor (source or out/node). */
function repoRoot(): string {
  const here = import.meta.dirname
  const up = resolve(here, '..', '..')
  return up.endsWith(join('out', 'node')) ? resolve(up, '..', '..') : up
}

/** The built node entry: out/node/raftkv-node.cjs, one bundled file (`npm run build:node`). */
export function builtNodeEntry(root = repoRoot()): string {
  return join(root, 'out', 'node', 'raftkv-node.cjs')
}

/**
 * `node [PLAIN_NODE_V8_FLAGS] [nodeFlags] <entry>`, the entry being out/node/raftkv-node.cjs
 * unless another built one is named (an A/B of two builds); fails clearly when it is not there.
 */
export function plainNodeCommand(nodeFlags: string[] = [], entry = builtNodeEntry()): LaunchCommand {
  if (!existsSync(entry)) throw new ControlError('NOT_SUPPORTED', `no built node entry at ${entry}: run \`npm run build:node\` first`)
  return { command: process.execPath, args: [...PLAIN_NODE_V8_FLAGS, ...nodeFlags, entry] }
}

/** The packaged app: Electron's own binary run as plain Node on the built entry. */
export function electronAsNodeCommand(electronBinary: string, entry: string, nodeFlags: string[] = []): LaunchCommand {
  return { command: electronBinary, args: [...NODE_V8_FLAGS, ...nodeFlags, entry], env: { ELECTRON_RUN_AS_NODE: '1' } }
}
