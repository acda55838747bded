// bench:raft — three RawNodes in one process over an instant in-memory network, running
// the full Ready loop (persist to MemoryStorage, send, apply, advance). Measures entries
// committed and applied per second for 128-byte proposals, one at a time and in batches
// of 64, and the propose -> apply latency on the leader. Writes bench/results/raft.json.
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { RawNode, MemoryStorage, StateType, type Message } from '../raftkv/raft/index.js'

interface Node { id: number; rn: RawNode; storage: MemoryStorage; inbox: Message[]; applied: number }

const PEERS = [1, 2, 3]
const DATA = new Uint8Array(128).fill(7)

function makeCluster(): Node[] {
  return PEERS.map((id) => {
    const storage = new MemoryStorage()
    const rn = new RawNode({ id, peers: PEERS, electionTick: 10, heartbeatTick: 1, storage, maxInflightMsgs: 256, maxSizePerMsg: 1 << 20, preVote: true, checkQuorum: true })
    return { id, rn, storage, inbox: [], applied: 0 }
  })
}

/** Runs Ready rounds until every node is idle. */
function pump(nodes: Node[], byId: Map<number, Node>): void {
  for (let busy = true; busy;) {
    busy = false
    for (const n of nodes) {
      if (n.inbox.length > 0) {
        const msgs = n.inbox
        n.inbox = []
        for (const m of msgs) n.rn.step(m)
      }
      if (!n.rn.hasReady()) continue
      busy = true
      const rd = n.rn.ready()
      if ((rd.hardState.term ?? 0) !== 0) n.storage.setHardState(rd.hardState)
      if (rd.entries.length > 0) n.storage.append(rd.entries)
      for (const m of rd.messages) byId.get(m.to ?? 0)!.inbox.push(m)
      if (rd.committedEntries.length > 0) n.applied = rd.committedEntries[rd.committedEntries.length - 1]!.index ?? 0
      n.rn.advance(rd)
    }
  }
}

/** Keeps the in-memory logs bounded, as log GC would. */
function compact(nodes: Node[]): void {
  for (const n of nodes) {
    const keep = n.applied - 1000
    if (keep > n.storage.firstIndex() + 10_000) {
      n.storage.compact(keep)
      n.rn.raft.raftLog.maybeCompact()
    }
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

interface Result { entriesPerSec: number; p50Ms: number; p99Ms: number; entries: number; seconds: number }

function run(batch: number, seconds: number): Result {
  const nodes = makeCluster()
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const leader = nodes[0]!
  leader.rn.campaign()
  pump(nodes, byId)
  if (leader.rn.raft.state !== StateType.Leader) throw new Error('node 1 did not become leader')
  const lat: number[] = []
  let entries = 0
  let target = leader.applied
  const start = performance.now()
  const end = start + seconds * 1000
  let rounds = 0
  while (performance.now() < end) {
    const t0 = performance.now()
    if (batch === 1) leader.rn.propose(DATA)
    else for (let i = 0; i < batch; i++) leader.rn.propose(DATA)
    target += batch
    pump(nodes, byId)
    if (leader.applied < target) throw new Error(`not applied: ${leader.applied} < ${target}`)
    const dt = performance.now() - t0
    for (let i = 0; i < batch; i++) lat.push(dt)
    entries += batch
    if (++rounds % 256 === 0) compact(nodes)
  }
  const elapsed = (performance.now() - start) / 1000
  for (const n of nodes) if (n.applied < target) throw new Error(`node ${n.id} applied ${n.applied} < ${target}`)
  lat.sort((a, b) => a - b)
  return { entriesPerSec: Math.round(entries / elapsed), p50Ms: +percentile(lat, 50).toFixed(4), p99Ms: +percentile(lat, 99).toFixed(4), entries, seconds: +elapsed.toFixed(2) }
}

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
run(64, 1) // warm-up (JIT)
const single = run(1, seconds)
console.log(`single : ${single.entriesPerSec.toLocaleString()} entries/s  p50 ${single.p50Ms} ms  p99 ${single.p99Ms} ms  (${single.entries} entries in ${single.seconds} s)`)
const batched = run(64, seconds)
console.log(`batched: ${batched.entriesPerSec.toLocaleString()} entries/s  p50 ${batched.p50Ms} ms  p99 ${batched.p99Ms} ms  (${batched.entries} entries in ${batched.seconds} s)`)

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'raft.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify({
  bench: 'raft', date: new Date().toISOString(), node: process.version, entryBytes: DATA.length, nodes: PEERS.length,
  single, batched,
}, null, 2) + '\n')
console.log(`wrote ${out}`)
