// raftkv status: every endpoint's /admin status side by side, like
// `etcdctl endpoint status`; a node that cannot be reached gets an error entry.
import type { Command } from 'commander'
import { AdminClient, ClientError } from '../client/index.js'
import type { FaultsInfo, NodeStatusInfo } from '../client/index.js'
import { CliError } from './errors.js'
import { formatTable } from './format-table.js'
import { connectionOptions, withConnectionOptions, type ConnectionOptions } from './options.js'

export type StatusEntry =
  | ({ endpoint: string } & NodeStatusInfo)
  | { endpoint: string; error: string; errorCode: string }

/** Asks every endpoint at once; the entries come back in the order of the endpoints. */
export async function collectStatus(options: ConnectionOptions): Promise<StatusEntry[]> {
  return Promise.all(options.endpoints.map(async (endpoint): Promise<StatusEntry> => {
    const admin = new AdminClient({ endpoint, token: options.token, timeoutMs: options.timeoutMs })
    try {
      return { endpoint, ...(await admin.status()) }
    } catch (err) {
      if (err instanceof ClientError) return { endpoint, error: err.message, errorCode: err.code }
      throw err
    } finally {
      await admin.close()
    }
  }))
}

/** The faults in force in one short cell: "-" when none. */
export function faultsText(f: FaultsInfo): string {
  const parts: string[] = []
  if (f.blockedPeers.length > 0) parts.push(`blocked=${f.blockedPeers.join(',')}`)
  if (f.dropRate > 0) parts.push(`drop=${f.dropRate}`)
  if (f.delayMs > 0 || f.jitterMs > 0) parts.push(`delay=${f.delayMs}ms${f.jitterMs > 0 ? `+${f.jitterMs}ms` : ''}`)
  return parts.length === 0 ? '-' : parts.join(' ')
}

function statusTable(entries: readonly StatusEntry[]): string {
  const headers = ['ENDPOINT', 'ID', 'ROLE', 'TERM', 'VOTE', 'LEADER', 'FIRST', 'LAST', 'STABLED', 'COMMIT', 'APPLIED', 'TRUNCATED', 'MEMBERS', 'SNAP S/R/A/F', 'FAULTS', 'ERROR']
  const rows = entries.map((e) => {
    if ('error' in e) return [e.endpoint, '', '', '', '', '', '', '', '', '', '', '', '', '', '', e.error]
    const snap = e.snapshots
    return [
      // A removed node's raft role is stale: it says what it is instead.
      e.endpoint, String(e.id), e.removed ? 'removed' : e.role, String(e.term), String(e.vote), String(e.leader),
      String(e.firstIndex), String(e.lastIndex), String(e.stabledIndex), String(e.commitIndex), String(e.appliedIndex), String(e.truncatedIndex),
      e.members.map((m) => m.id).join(','), `${snap.sent}/${snap.received}/${snap.applied}/${snap.failed}`, faultsText(e.faults), '',
    ]
  })
  return formatTable(headers, rows)
}

export function registerStatusCommand(program: Command): void {
  withConnectionOptions(
    program.command('status')
      .option('--json', 'print a JSON array, one object per endpoint')
      .description("print each node's status (role, term, log indexes, members, snapshots); exit status 1 if a node cannot be reached"),
    '3s',
  ).action(async (raw: Parameters<typeof connectionOptions>[0] & { json?: boolean }) => {
    const entries = await collectStatus(connectionOptions(raw))
    process.stdout.write(raw.json === true ? `${JSON.stringify(entries, null, 2)}\n` : statusTable(entries))
    const failed = entries.filter((e) => 'error' in e).length
    if (failed > 0) throw new CliError('FAILED', `${failed} of ${entries.length} endpoint(s) did not answer`)
  })
}
