// One randomized run: a cluster of 3-5 RawNodes under random partitions, loss, duplication,
// reordering, crashes and restarts, membership changes, leader transfers, proposals and
// reads; safety is checked after every step, then the network heals and every committed
// proposal must reach every member.
import { Cluster, type ClusterOptions } from './cluster.js'
import { Prng } from './prng.js'
import { None, StateType } from '../index.js'

export interface RunResult {
  seed: number
  steps: number
  committed: number
  stats: Cluster['stats']
}

export class SeedFailure extends Error {
  constructor(readonly seed: number, readonly step: number, cause: unknown, trace: string[]) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    super(`seed ${seed} failed at step ${step}: ${reason}\nlast actions:\n  ${trace.join('\n  ')}`)
    this.name = 'SeedFailure'
  }
}

/** Per-seed cluster settings, drawn from their own PRNG so that they do not shift the run's. */
export function optionsFor(seed: number): ClusterOptions {
  const r = new Prng(seed ^ 0x5bd1e995)
  const opts: ClusterOptions = {
    seed,
    size: r.int(3, 6),
    preVote: r.chance(0.5),
    checkQuorum: r.chance(0.5),
    electionTick: 10,
    heartbeatTick: r.pick([1, 2, 3]),
    durableApply: r.chance(0.5),
    snapshotBusyRate: r.pick([0, 0, 0.3, 0.8]),
    interleaveReady: r.chance(0.5),
    crashLeaders: r.chance(0.3),
    leaderLost: false,
    asyncLeaderWrites: false,
  }
  const inflight = r.pick([0, 0, 1, 4, 64])
  if (inflight > 0) opts.maxInflightMsgs = inflight
  const size = r.pick([0, 0, 40, 200])
  if (size > 0) opts.maxSizePerMsg = size
  // Drawn last so that the draws above stay what they were for every seed.
  opts.leaderLost = r.chance(0.6)
  opts.asyncLeaderWrites = r.chance(0.5)
  return opts
}

type Action = [weight: number, name: string, run: (c: Cluster) => string | void]

const ACTIONS: Action[] = [
  [40, 'deliver', (c) => c.deliverRandom()],
  [25, 'ready', (c) => {
    const busy = c.active().filter((n) => c.busy(n))
    if (busy.length === 0) return
    const n = c.rng.pick(busy)
    // With async leader writes, a leader's persist often completes later than its sends.
    if (n.pending === undefined && (c.opts.interleaveReady || c.opts.asyncLeaderWrites) && c.rng.chance(0.5)) {
      c.takeReady(n)
      return `take ready ${n.id}`
    }
    c.handleReady(n)
    return `ready ${n.id}`
  }],
  [4, 'tick one', (c) => {
    const live = c.active()
    if (live.length === 0) return
    const n = c.rng.pick(live)
    c.tick(n)
    return `tick ${n.id}`
  }],
  [5, 'tick all', (c) => { for (const n of c.active()) c.tick(n) }],
  [12, 'propose', (c) => {
    const lead = c.leader()
    const live = c.active()
    const n = lead !== undefined && c.rng.chance(0.7) ? lead : live.length > 0 ? c.rng.pick(live) : undefined
    if (n) c.propose(n)
    return n ? `propose at ${n.id}` : undefined
  }],
  [3, 'read', (c) => {
    const live = c.active()
    if (live.length === 0) return
    const n = c.rng.pick(live)
    c.readIndex(n)
    return `read at ${n.id}`
  }],
  [3, 'flush', (c) => {
    const msgs = c.inflight.length
    for (let i = c.inflight.length; i > 0; i--) c.deliverRandom()
    return `flush ${msgs}`
  }],
  [0.15, 'partition', (c) => {
    c.partition()
    return `partition ${[...c.groups].map(([id, g]) => `${id}:${g}`).join(' ')}`
  }],
  [0.5, 'heal', (c) => c.heal()],
  [0.3, 'faults', (c) => {
    c.lossRate = c.rng.pick([0, 0.05, 0.2])
    c.dupRate = c.rng.pick([0, 0.05, 0.1])
    return `loss ${c.lossRate} dup ${c.dupRate}`
  }],
  [0.15, 'crash', (c) => {
    const live = c.live()
    // At most two servers down at once, so that a majority is usually up.
    if (live.length === 0 || c.crashed().length >= 2) return
    const n = c.rng.pick(live)
    c.crash(n)
    return `crash ${n.id}`
  }],
  [0.6, 'crash leader', (c) => {
    // Figure 8 of the paper: leaders that crash soon after appending leave entries of
    // their term on a minority, for later leaders to commit or overwrite.
    const lead = c.leader()
    if (!c.opts.crashLeaders || lead === undefined || c.crashed().length >= 2) return
    c.crash(lead)
    // Its sockets close at once: its followers may notice and campaign without waiting.
    const lost = c.live().filter((n) => c.rng.chance(0.7) && c.leaderLost(n, lead.id, c.rng.chance(0.6)))
    return `crash leader ${lead.id}${lost.length > 0 ? `, lost by ${lost.map((n) => n.id).join(' ')}` : ''}`
  }],
  [1, 'link lost', (c) => {
    // A link to a live leader closes (a flaky network, a slow peer): the trigger fires anyway.
    const live = c.live()
    if (!c.opts.leaderLost || live.length === 0) return
    const n = c.rng.pick(live)
    const lead = n.node!.raft.lead
    const campaign = c.rng.chance(0.7)
    if (!c.leaderLost(n, lead, campaign)) return
    return `link ${n.id}-${lead} lost${campaign ? ', campaign' : ''}`
  }],
  [1, 'silent leader', (c) => {
    // A follower that heard nothing from its leader for a whole election timeout campaigns
    // at once instead of waiting out its randomized timeout (the node does so one tick and
    // its rank later: raftkv/server/silent-leader.ts). Here: any such follower, any time.
    if (!c.opts.leaderLost) return
    const silent = c.active().filter((n) => {
      const r = n.node!.raft
      return r.state === StateType.Follower && r.lead !== None && r.electionElapsed >= r.electionTimeout
    })
    if (silent.length === 0) return
    const n = c.rng.pick(silent)
    const lead = n.node!.raft.lead
    n.node!.campaign()
    c.stats.silentCampaigns++
    return `leader ${lead} silent to ${n.id}: it campaigns`
  }],
  [0.3, 'stall', (c) => {
    // A node slow but alive: its links stay open while it does nothing for a while.
    const lead = c.leader()
    const live = c.live()
    const n = lead !== undefined && c.rng.chance(0.6) ? lead : live.length > 0 ? c.rng.pick(live) : undefined
    if (n === undefined) return
    const steps = c.rng.int(5, 300)
    c.stall(n, steps)
    return `stall ${n.id} for ${steps}`
  }],
  [0.4, 'crash writing leader', (c) => {
    // A leader dies while its own write is in flight (its appends already out): what it had
    // not persisted is lost, and it must not have counted itself towards committing it.
    const lead = c.leaders().find((n) => (n.pending?.entries.length ?? 0) > 0)
    if (!c.opts.asyncLeaderWrites || lead === undefined || c.crashed().length >= 2) return
    c.crash(lead)
    return `crash leader ${lead.id} with its write in flight`
  }],
  [1, 'restart', (c) => {
    const down = c.crashed()
    if (down.length === 0) return
    const n = c.rng.pick(down)
    c.restart(n)
    return `restart ${n.id}`
  }],
  [0.5, 'conf change', (c) => c.changeMembership()],
  [0.4, 'transfer', (c) => c.transferLeader()],
  [0.5, 'compact', (c) => {
    const live = c.live()
    if (live.length === 0) return
    const n = c.rng.pick(live)
    c.compact(n)
    return `compact ${n.id} at ${n.applied}`
  }],
]
const TOTAL = ACTIONS.reduce((s, a) => s + a[0], 0)

function pickAction(c: Cluster): Action {
  let x = c.rng.next() * TOTAL
  for (const a of ACTIONS) {
    x -= a[0]
    if (x < 0) return a
  }
  return ACTIONS[0]!
}

/** Too many undelivered messages: a congested network drops the oldest half. */
const MAX_INFLIGHT = 400

/** Rounds of healing (every node ticks once and the network drains) before giving up on liveness. */
const HEAL_ROUNDS = 400

/** Debugging hooks: see the cluster after each chaos step, or when the run fails. */
export interface RunHooks {
  afterStep?: (c: Cluster, step: number, action: string) => void
  inspect?: (c: Cluster) => void
}

export function runSeed(seed: number, chaosSteps: number, hooks: RunHooks = {}): RunResult {
  const trace: string[] = []
  let step = 0
  const record = (s: string): void => {
    trace.push(`${step}: ${s}`)
    if (trace.length > 25) trace.shift()
  }
  let c: Cluster | undefined
  try {
    c = new Cluster(optionsFor(seed))
    for (; step < chaosSteps; step++) {
      const [, name, run] = pickAction(c)
      const detail = run(c)
      if (name !== 'deliver' && name !== 'tick all') record(detail ?? name)
      if (c.inflight.length > MAX_INFLIGHT) c.dropOldest(MAX_INFLIGHT / 2)
      c.stepStalls()
      c.check()
      if (c.leader() !== undefined) c.stats.stepsWithLeader++
      hooks.afterStep?.(c, step, detail ?? name)
    }
    record('heal everything')
    step += heal(c, record)
    return { seed, steps: step, committed: c.committedProposals.size, stats: c.stats }
  } catch (e) {
    if (c !== undefined) hooks.inspect?.(c)
    throw new SeedFailure(seed, step, e, trace)
  }
}

/** Heals the network, restarts every crashed node and runs until all members agree. */
function heal(c: Cluster, record: (s: string) => void): number {
  c.heal()
  c.stalled.clear()
  c.lossRate = 0
  c.dupRate = 0
  for (const n of c.crashed()) c.restart(n)
  for (let round = 1; round <= HEAL_ROUNDS; round++) {
    for (const n of c.live()) c.tick(n)
    drain(c)
    c.check()
    // Snapshots keep up with the log so that a member added late can always be caught up.
    if (round % 25 === 0) for (const n of c.live()) c.compact(n)
    const why = notConverged(c)
    if (why === undefined) return round
    if (round === HEAL_ROUNDS) {
      record(`not converged: ${why}`)
      throw new Error(`no convergence after ${HEAL_ROUNDS} healed rounds: ${why}`)
    }
  }
  return HEAL_ROUNDS
}

/** Handles every Ready and delivers every message until the cluster is quiet. */
function drain(c: Cluster): void {
  for (let i = 0; i < 100; i++) {
    let busy = false
    for (const n of c.live()) {
      if (c.busy(n)) {
        c.handleReady(n)
        busy = true
      }
    }
    if (c.inflight.length > 0) {
      busy = true
      const msgs = c.inflight
      c.inflight = []
      for (const m of msgs) {
        c.inflight.unshift(m)
        c.deliver(0)
      }
    }
    c.check()
    if (!busy) return
  }
}

/** Why the cluster has not converged yet, or undefined once it has. */
function notConverged(c: Cluster): string | undefined {
  const lead = c.leader()
  if (lead === undefined) return 'no leader'
  const raft = lead.node!.raft
  const commit = raft.raftLog.committed
  if (commit !== raft.raftLog.lastIndex()) return `leader ${lead.id} commit ${commit} < last ${raft.raftLog.lastIndex()}`
  for (const id of raft.prs.keys()) {
    const n = c.nodes.get(id)
    if (n?.node === undefined) return `member ${id} is not running`
    if (n.applied !== commit) return `member ${id} applied ${n.applied}, leader ${lead.id} committed ${commit}`
  }
  for (const id of raft.prs.keys()) {
    const n = c.nodes.get(id)!
    const data = new Set(n.keys.map((k) => k.slice(0, k.lastIndexOf('@'))))
    for (const p of c.committedProposals) {
      if (!data.has(p)) throw new Error(`committed proposal ${p} is missing on member ${id} after healing`)
    }
  }
  return undefined
}
