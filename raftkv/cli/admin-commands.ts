// Operator commands on /admin: fault filters (what the manager's partition buttons do),
// leadership transfer and membership changes.
import type { Command } from 'commander'
import { AdminClient } from '../client/index.js'
import { parseEndpoint } from '../client/index.js'
import { CliError } from './errors.js'
import { collectStatus } from './status-command.js'
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

/** The endpoint of the node that reports itself leader (and is agreed on by the others that answer). */
async function leaderEndpoint(o: ConnectionOptions): Promise<string> {
  const entries = await collectStatus(o)
  const leaders = entries.filter((e) => !('error' in e) && e.role === 'leader')
  if (leaders.length === 0) throw new CliError('FAILED', 'no leader among the endpoints (is a majority up and connected?)')
  leaders.sort((a, b) => ('term' in b ? b.term : 0) - ('term' in a ? a.term : 0))
  return leaders[0]!.endpoint
}

export function registerAdminCommands(program: Command): void {
  withConnectionOptions(
    program.command('faults')
      .description("set each endpoint's fault filters: block peers (both directions), drop a fraction of raft messages, delay them; prints the filters in force")
      .option('--block <ids>', 'comma-separated node ids to cut off from these endpoints', '')
      .option('--drop <ratio>', 'fraction of outgoing raft messages to drop (0..1)', ratioOption, 0)
      .option('--delay <ms>', 'delay added to outgoing raft messages, in ms', nonNegativeIntOption, 0)
      .option('--jitter <ms>', 'up to this many more ms of delay, drawn per frame', nonNegativeIntOption, 0)
      .option('--clear', 'remove every fault (same as no other option)'),
    '3s',
  ).action(async (raw: Raw & { block: string; drop: number; delay: number; jitter: number; clear?: boolean }) => {
    const o = connectionOptions(raw)
    const faults = raw.clear === true
      ? { blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 }
      : { blockedPeers: idList(raw.block), dropRate: raw.drop, delayMs: raw.delay, jitterMs: raw.jitter }
    for (const endpoint of o.endpoints) {
      const now = await withAdmin(endpoint, o, (a) => a.setFaults(faults))
      process.stdout.write(`${endpoint}\tblocked=[${now.blockedPeers.join(',')}] drop=${now.dropRate} delay=${now.delayMs}ms jitter=${now.jitterMs}ms\n`)
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
      const entries = await collectStatus(o)
      if (entries.some((e) => !('error' in e) && e.role === 'leader' && e.id === to)) {
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
    await withAdmin(await leaderEndpoint(o), o, (a) => a.changePeer('add', id, where))
    process.stdout.write(`added node ${id} at ${where}\n`)
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
