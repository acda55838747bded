// main/workload: checked workloads (load + nemesis + history + verdict) and checkHistory.
export { WorkloadRunner } from './runner.js'
export type { WorkloadEventKind, WorkloadRecord, WorkloadRunnerOptions } from './runner.js'
export type { ClientConnection, NemesisOps, WorkloadCluster } from './cluster-ops.js'
export { checkEvents, checkNdjson, DEFAULT_CHECK_BUDGET_MS } from './check-history.js'
export { checkOffThread, checkWorkerEntry } from './check-off-thread.js'
export type { CheckJob } from './check-job.js'
export { toVerdict } from './verdict.js'
