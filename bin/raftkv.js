#!/usr/bin/env node
// The `raftkv` command: runs the built CLI (out/node, `npm run build:node`) when it is
// there, else the TypeScript sources through tsx. RAFTKV_FROM_SOURCE=1 forces the sources.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// `raftkv scan | head`: a reader that goes away is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

const built = fileURLToPath(new URL('../out/node/raftkv/cli/main.js', import.meta.url))
let entry
if (existsSync(built) && process.env.RAFTKV_FROM_SOURCE !== '1') {
  entry = await import(built)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  entry = await import('../raftkv/cli/main.ts')
}
process.exitCode = await entry.main(process.argv)
