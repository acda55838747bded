// Process entry of one node: `node --import tsx raftkv/server/main.ts --id 1 --peers ... --data-dir ...`
// (the same options as `raftkv node`). `npm run build:node` bundles it into
// out/node/raftkv-node.cjs, which the Supervisor and the tests launch.
import { performance } from 'node:perf_hooks'
import { nodeCommand } from './node-command.js'

// Every import above has been evaluated by now: the start-up breakdown's "modules" mark.
const modulesMs = performance.now()

// Named as the CLI names it: this entry is also what `raftkv node` runs (bin/raftkv.js).
nodeCommand({ modulesMs }).name('raftkv node').parseAsync(process.argv.slice(2), { from: 'user' }).catch((err: unknown) => {
  process.stderr.write(`raftkv node: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
