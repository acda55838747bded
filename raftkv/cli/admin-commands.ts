// Operator commands on /admin: fault filters (what the manager's partition buttons do),
// leadership transfer and membership changes.
import type { Command } from 'commander'
import { AdminClient } from '../client/index.js'
import { parseEndpoint } from '../client/index.js'
import { CliError } from './errors.js'
import { collectStatus, faultsText, type StatusEntry } from './status-command.js'
import { connectionOptions, nonNegativeIntOption, positiveIntOption, ratioOption, withConnectionOptions, type ConnectionOptions } from './options.js'

type Raw = Parameters<typeof connectionOptions>[0]

function idList(text: string): number[] {
  if (text.trim() === '') return []
  return text.split(',').map((s) => positiveIntOption(s.trim()))
}

async function withAdmin<T>(endpoint: string, o: ConnectionOptions, f: (a: AdminClient) => Promise<T>): Promise<T> {
  const admin = new AdminClient({ endpoint, token: o.token, timeoutMs: o.timeoutMs })
  try {
    return await f(admin)
  } finally {
    await admin.close()
  }
}

type Answered = Exclude<StatusEntry, { error: string }>

function answered(entries: readonly StatusEntry[]): Answered[] {
  return entries.filter((e): e is Answered => !('error' in e))
}

/**
 * The endpoint of the leader: a node among the endpoints that reports itself leader (the
 * newest term wins), or else the leader a follower names, at the address in its
 * membership, once that node confirms it leads (as the KV commands follow NotLeader hints).
 */
async function leaderEndpoint(o: ConnectionOptions): Promise<string> {
  const entries = answered(await collectStatus(o))
  const leaders = entries.filter((e) => e.role === 'leader' && !e.removed).sort((a, b) => b.term - a.term)
  if (leaders.length > 0) return leaders[0]!.endpoint
  const hints = entries.filter((e) => e.leader !== 0 && !e.removed).sort((a, b) => b.term - a.term)
  for (const e of hints) {
    const addr = e.members.find((m) => m.id === e.leader)?.addr
    if (!addr) continue
    const [hinted] = answered(await collectStatus({ ...o, endpoints: [addr] }))
    if (hinted?.role === 'leader') return addr
  }
  throw new CliError('FAILED', 'no leader among the endpoints or their hints (is a majority up and connected?)')
}

/** Whether a node answers /admin at addr within a short bound. */
async function answers(addr: string, o: ConnectionOptions): Promise<string | undefined> {
  const [entry] = await collectStatus({ ...o, endpoints: [addr], timeoutMs: Math.min(o.timeoutMs, 2000) })
  return entry && 'error' in entry ? entry.error : undefined
}

export function registerAdminCommands(program: Command): void {
  withConnectionOptions(
    program.command('faults')
      .description("set each endpoint's fault filters: block peers (both directions), drop a fraction of raft messages, delay them; prints the filters in force")
      .option('--block <ids>', 'comma-separated node ids to cut off from these endpoints')
      .option('--drop <ratio>', 'fraction of outgoing raft messages to drop (0..1)', ratioOption)
      .option('--delay <ms>', 'delay added to outgoing raft messages, in ms', nonNegativeIntOption)
      .option('--jitter <ms>', 'up to this many more ms of delay, drawn per frame', nonNegativeIntOption)
      .option('--clear', 'remove every fault')
      .addHelpText('after', '\nWith no option it only prints the faults in force. Setting any option replaces all of them (the others become 0).'),
    '3s',
  ).action(async (raw: Raw & { block?: string; drop?: number; delay?: number; jitter?: number; clear?: boolean }) => {
    const o = connectionOptions(raw)
    const setting = raw.block !== undefined || raw.drop !== undefined || raw.delay !== undefined || raw.jitter !== undefined
    if (setting && raw.clear === true) throw new CliError('USAGE', '--clear does not go with --block, --drop, --delay or --jitter')
    const faults = raw.clear === true
      ? { blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 }
      : { blockedPeers: idList(raw.block ?? ''), dropRate: raw.drop ?? 0, delayMs: raw.delay ?? 0, jitterMs: raw.jitter ?? 0 }
    for (const endpoint of o.endpoints) {
      const now = setting || raw.clear === true
        ? await withAdmin(endpoint, o, (a) => a.setFaults(faults))
        : (await withAdmin(endpoint, o, (a) => a.status())).faults
      process.stdout.write(`${endpoint}\tblocked=[${now.blockedPeers.join(',')}] drop=${now.dropRate} delay=${now.delayMs}ms jitter=${now.jitterMs}ms\t(${faultsText(now) === '-' ? 'no faults' : faultsText(now)})\n`)
    }
  })

  withConnectionOptions(
    program.command('transfer-leader <id>')
      .description('ask the leader to hand leadership to node ID, and wait until it has'),
    '10s',
  ).action(async (idText: string, raw: Raw) => {
    const o = connectionOptions(raw)
    const to = positiveIntOption(idText)
    await withAdmin(await leaderEndpoint(o), o, (a) => a.transferLeader(to))
    const deadline = Date.now() + o.timeoutMs
    while (Date.now() < deadline) {
      const entries = answered(await collectStatus(o))
      // Node `to` says it leads, or (when it is not among the endpoints) a node names it leader.
      if (entries.some((e) => (e.role === 'leader' && e.id === to) || (e.leader === to && e.id !== to))) {
        process.stdout.write(`node ${to} is the leader\n`)
        return
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new CliError('FAILED', `node ${to} did not become leader within ${o.timeoutMs} ms`)
  })

  const member = program.command('member').description('change the membership (one change at a time, through the leader)')
  withConnectionOptions(
    member.command('add <id> <addr>').description('add node ID, reachable at host:port ADDR (start its process with the full --peers)'),
    '10s',
  ).action(async (idText: string, addr: string, raw: Raw) => {
    const o = connectionOptions(raw)
    const id = positiveIntOption(idText)
    const where = parseEndpoint(addr)
    const leader = await leaderEndpoint(o)
    await withAdmin(leader, o, (a) => a.changePeer('add', id, where))
    process.stdout.write(`added node ${id} at ${where}\n`)
    const silent = await answers(where, o)
    if (silent !== undefined) {
      const members = (await withAdmin(leader, o, (a) => a.status())).members.length
      process.stderr.write(`raftkv: warning: node ${id} at ${where} does not answer (${silent}); the quorum just grew: ` +
        `${Math.floor(members / 2) + 1} of ${members} members must now be up. Start node ${id} (or remove it again).\n`)
    }
  })
  withConnectionOptions(
    member.command('remove <id>').description('remove node ID from the cluster'),
    '10s',
  ).action(async (idText: string, raw: Raw) => {
    const o = connectionOptions(raw)
    const id = positiveIntOption(idText)
    await withAdmin(await leaderEndpoint(o), o, (a) => a.changePeer('remove', id))
    process.stdout.write(`removed node ${id}\n`)
  })
}
