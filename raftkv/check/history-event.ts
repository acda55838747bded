// One event of a Jepsen-style KV history, the checker's input. It lives here, at the
// lowest layer that needs it (check imports nothing); raftkv/client re-exports it and
// records histories of this shape (see raftkv/client/history.ts for the NDJSON form).
export type HistoryEventType = 'invoke' | 'ok' | 'fail' | 'info'
export type HistoryFunction = 'put' | 'get' | 'delete'

export interface HistoryEvent {
  type: HistoryEventType
  process: number
  f: HistoryFunction
  key: string
  /** put: the value written; a get's ok: the value read (null: absent); delete: null. */
  value: string | null
  /** Monotonic nanoseconds (one clock per history). */
  time: number
  /** On fail/info: the client error code, for the reader (checkers ignore it). */
  error?: string
}
