#!/usr/bin/env node
// The `raftkv` command: runs the built CLI (out/node, `npm run build:node`) when it is
// there, else the TypeScript sources through tsx. RAFTKV_FROM_SOURCE=1 forces the sources.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// `raftkv scan | head`: a reader that goes away is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

const built = fileURLToPath(new URL('../out/node/raftkv/cli/main.js', import.meta.url))
// `raftkv node ...`: the one-file node bundle the Supervisor starts (out/node/raftkv-node.cjs)
// rather than the CLI's modules; it reads its options from argv[2] on.
const nodeBundle = fileURLToPath(new URL('../out/node/raftkv-node.cjs', import.meta.url))
const fromSource = process.env.RAFTKV_FROM_SOURCE === '1'
let entry
if (process.argv[2] === 'node' && existsSync(nodeBundle) && !fromSource) {
  process.argv.splice(1, 2, nodeBundle)
  // require, not import(): an import of CommonJS first scans the whole bundle for its exports.
  createRequire(import.meta.url)(nodeBundle)
} else if (existsSync(built) && !fromSource) {
  entry = await import(built)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  entry = await import('../raftkv/cli/main.ts')
}
if (entry !== undefined) process.exitCode = await entry.main(process.argv)
