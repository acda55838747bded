// Admin commands that only the leader takes (conf changes, leader transfer): sent to the
// node the view names leader, again to the new one when it answers NOT_LEADER, until a
// deadline.
import { AdminClient, AdminCommandError, ClientError } from '../../raftkv/client/index.js'
import { ControlError } from '../control/errors.js'

export interface LeaderSource {
  /** The current leader's id and address (undefined: none known now). */
  leader(): { id: number; addr: string } | undefined
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Refusals that another try (or another leader) would only repeat. */
const DEFINITE = new Set<string>(['BAD_REQUEST', 'NOT_MEMBER', 'ALREADY_MEMBER', 'INVALID_FAULTS', 'CONF_CHANGE_REFUSED'])

export async function withLeader(src: LeaderSource, token: string, what: string, timeoutMs: number,
  fn: (admin: AdminClient, leaderId: number) => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no leader'
  while (Date.now() < deadline) {
    const lead = src.leader()
    if (!lead) {
      await sleep(50)
      continue
    }
    const admin = new AdminClient({ endpoint: lead.addr, token, timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())) })
    try {
      await fn(admin, lead.id)
      return
    } catch (e) {
      if (!(e instanceof ClientError)) throw e
      const serverCode = e instanceof AdminCommandError ? e.serverCode : e.code
      last = `${serverCode}: ${e.message}`
      if (DEFINITE.has(serverCode)) throw new ControlError('BAD_ARGUMENT', `${what}: ${e.message}`)
      await sleep(100)
    } finally {
      await admin.close()
    }
  }
  throw new ControlError('TIMEOUT', `${what}: not done within ${timeoutMs} ms (${last})`)
}
