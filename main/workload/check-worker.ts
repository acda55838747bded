// The entry of the thread a linearizability check runs on (check-off-thread.ts starts it):
// one job in, one reply out, then the thread ends. A check can take the whole budget
// (10 s by default) and parsing a large NDJSON history seconds more; on the Supervisor's own
// thread that would freeze status, IPC and the nodes' log pipes for as long.
import { parentPort } from 'node:worker_threads'
import { ControlError } from '../control/errors.js'
import { checkEvents, checkNdjson } from './check-history.js'
import type { CheckJob, CheckReply } from './check-job.js'

function run(job: CheckJob): CheckReply {
  try {
    const verdict = job.kind === 'events' ? checkEvents(job.events, job.timeBudgetMs) : checkNdjson(job.ndjson, job.timeBudgetMs)
    return { ok: true, verdict }
  } catch (err) {
    if (err instanceof ControlError) return { ok: false, error: err.toData() }
    return { ok: false, error: { code: 'INTERNAL', message: `the check failed: ${err instanceof Error ? err.message : String(err)}` } }
  }
}

const port = parentPort
if (port === null) throw new Error('check-worker.ts runs as a worker thread (see check-off-thread.ts)')
port.once('message', (job: CheckJob) => port.postMessage(run(job)))
