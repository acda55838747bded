// Runs one linearizability check on a thread of its own (check-worker.ts) and resolves with
// its Verdict, so that the Supervisor's thread keeps serving status, IPC and the nodes' log
// pipes while the checker searches. Errors come back as the ControlError the check threw
// (a malformed history is BAD_ARGUMENT); an aborted check ends its thread (CANCELLED).
import { Worker } from 'node:worker_threads'
import { ControlError } from '../control/errors.js'
import type { Verdict } from '../control/types.js'
import type { CheckJob, CheckReply } from './check-job.js'

/**
 * The worker's entry, beside this module: check-worker.js when this is built JavaScript
 * (tsc's out/node, or electron-vite's out/main, which builds it as an entry of its own),
 * check-worker.ts when this runs as TypeScript (vitest, tsx), loaded through tsx.
 */
export function checkWorkerEntry(moduleUrl: string = import.meta.url): { url: URL; fromSource: boolean } {
  const fromSource = new URL(moduleUrl).pathname.endsWith('.ts')
  return { url: new URL(fromSource ? './check-worker.ts' : './check-worker.js', moduleUrl), fromSource }
}

const SOURCE_LOADER = 'tsx/esm/api'

function startWorker(entry: { url: URL; fromSource: boolean }): Worker {
  if (!entry.fromSource) return new Worker(entry.url)
  // TypeScript sources (tests, tsx; never the built app): the thread registers tsx's
  // loader (a devDependency) before it imports the entry.
  const code = `const { workerData: w } = require('node:worker_threads'); import(w.loader).then((m) => { m.register(); return import(w.entry) })`
  return new Worker(code, { eval: true, workerData: { loader: SOURCE_LOADER, entry: entry.url.href } })
}

export function checkOffThread(job: CheckJob, options: { signal?: AbortSignal; entry?: { url: URL; fromSource: boolean } } = {}): Promise<Verdict> {
  const { signal } = options
  if (signal?.aborted) return Promise.reject(new ControlError('CANCELLED', 'the check was cancelled'))
  return new Promise<Verdict>((resolve, reject) => {
    const worker = startWorker(options.entry ?? checkWorkerEntry())
    let settled = false
    const settle = (f: () => void): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      f()
      void worker.terminate()
    }
    const onAbort = (): void => settle(() => reject(new ControlError('CANCELLED', 'the check was cancelled')))
    signal?.addEventListener('abort', onAbort, { once: true })
    worker.once('message', (reply: CheckReply) => settle(() => {
      if (reply.ok) resolve(reply.verdict)
      else reject(ControlError.fromData(reply.error))
    }))
    worker.once('error', (err) => settle(() => reject(new ControlError('INTERNAL', `the check's thread failed: ${err.message}`))))
    worker.once('exit', (code) => settle(() => reject(new ControlError('INTERNAL', `the check's thread ended (exit code ${code}) without a verdict`))))
    worker.postMessage(job)
  })
}
