// Sums vitest's JSON reports (one per `vitest run` in `npm test`) into the one line
// CI reads: "N passed, N failed, N skipped". Exits 1 when no report was written or a
// report counts a failure, so a run that never reached its tests does not look green.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2]
let passed = 0, failed = 0, skipped = 0, reports = 0
let names = []
try { names = readdirSync(dir) } catch { /* no report written */ }
for (const name of names.filter((f) => f.endsWith('.json'))) {
  const r = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  reports++
  passed += r.numPassedTests ?? 0
  failed += r.numFailedTests ?? 0
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  if (r.success === false && (r.numFailedTests ?? 0) === 0) failed++ // a file that failed to load
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(reports === 0 || failed > 0 ? 1 : 0)
