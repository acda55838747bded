// raftkv/check: the linearizability checker of a recorded KV history, used by the
// tests and the manager alike. It imports nothing from the rest of raftkv/.
export { checkLinearizability, historyOperations, HistoryError } from './linearizability.js'
export type { CheckOptions, CheckResult, Operation, Verdict, Violation } from './linearizability.js'
export type { HistoryEvent, HistoryEventType, HistoryFunction } from './history-event.js'
