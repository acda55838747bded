// Process entry of one node: `node --import tsx raftkv/server/main.ts --id 1 --peers ... --data-dir ...`
// (the same options as `raftkv node`). The Supervisor and the tests launch nodes through it.
import { nodeCommand } from './node-command.js'

nodeCommand().parseAsync(process.argv.slice(2), { from: 'user' }).catch((err: unknown) => {
  process.stderr.write(`raftkv node: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
