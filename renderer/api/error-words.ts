// An ApiError in words for the place where it happened. The server's own message
// follows in brackets when it says more than the code does.
import { toApiError, type ApiErrorCode } from './errors'

const WORDS: Record<ApiErrorCode, string> = {
  BAD_ARGUMENT: 'The request was refused as invalid',
  UNKNOWN_NODE: 'There is no such node in this cluster',
  NO_CLUSTER: 'No cluster is running or attached',
  CLUSTER_RUNNING: 'A cluster is already running: shut it down or detach first',
  NODE_NOT_RUNNING: 'That node is not running',
  PORT_IN_USE: 'A port is already in use: choose another base port',
  NOT_SUPPORTED: 'Not possible on this cluster (an attached cluster has no processes to control)',
  TIMEOUT: 'The cluster did not answer in time',
  KV_ERROR: 'The store refused the operation',
  CANCELLED: 'The operation was cancelled',
  INTERNAL: 'The manager failed unexpectedly (its log says more)',
  UNAUTHORIZED: 'The session token was refused: open the URL that `raftkv cluster up` printed',
  DISCONNECTED: 'Lost the connection to the manager; reconnecting',
  PROTOCOL: 'Unexpected answer from the manager',
}

const KV_WORDS: Record<string, string> = {
  NOT_LEADER: 'No leader could take the request (an election may be under way)',
  STALE_COMMAND: 'A new leader overwrote the request before it committed',
  TIMEOUT: 'The store did not answer in time: the write may or may not have applied',
  KEY_TOO_LARGE: 'The key is too large',
  VALUE_TOO_LARGE: 'The value is too large',
  BAD_REQUEST: 'The store refused the request as malformed',
  UNAUTHORIZED: 'The store refused the cluster token',
  INTERNAL: 'The store failed internally',
  SERVER_BUSY: 'The store is busy: try again',
}

export function errorInWords(reason: unknown): string {
  const e = toApiError(reason)
  const words = (e.code === 'KV_ERROR' && e.kvCode !== undefined ? KV_WORDS[e.kvCode] : undefined) ?? WORDS[e.code]
  const detail = e.message.trim()
  return detail === '' || detail === e.code || words.toLowerCase().includes(detail.toLowerCase()) ? `${words}.` : `${words} (${detail}).`
}
