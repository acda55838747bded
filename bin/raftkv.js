#!/usr/bin/env node
// The `raftkv` command: runs the TypeScript sources of raftkv/cli through tsx.
import { register } from 'tsx/esm/api'

// `raftkv scan | head`: a reader that goes away is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

register()
const { main } = await import('../raftkv/cli/main.ts')
process.exitCode = await main(process.argv)
