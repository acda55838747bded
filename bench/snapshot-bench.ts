// bench:snapshot — transfer of a large state (default 200 MB) from the leader to a
// follower on loopback: the follower is stopped while the state is written (the log is
// compacted past it), then restarted and brought back by one snapshot. Reports MB/s,
// total time, sender and receiver peak RSS, the largest gap between messages from the
// leader seen by the follower during the transfer, and whether leadership held.
// Writes bench/results/snapshot.json.
import { writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { LocalCluster, sleep } from '../test/harness/cluster.js'
import { rssMb } from './lib/rss.js'

const totalMB = Number(process.env.BENCH_SNAPSHOT_MB ?? 200)
const valueBytes = 100 * 1024
const count = Math.ceil((totalMB * 1024 * 1024) / valueBytes)

const cluster = await LocalCluster.start({ size: 3, tickMs: 100, electionTick: 10, heartbeatTick: 2, extraArgs: ['--raft-log-gc-count-limit', '200'] })
try {
  const lead = await cluster.waitForLeader()
  const follower = [1, 2, 3].find((id) => id !== lead)!
  await cluster.kill(follower)
  rmSync(cluster.nodes.get(follower)!.dataDir, { recursive: true, force: true })
  const client = cluster.client({ timeoutMs: 60_000 })
  const t0 = performance.now()
  const inflight: Promise<void>[] = []
  for (let i = 0; i < count; i++) {
    const v = Buffer.alloc(valueBytes, i % 251)
    inflight.push(client.put(`big-${String(i).padStart(6, '0')}`, v))
    if (inflight.length >= 16) await Promise.all(inflight.splice(0))
  }
  await Promise.all(inflight)
  await client.close()
  console.log(`wrote ${count} x ${valueBytes / 1024} KiB = ${Math.round((count * valueBytes) / 1048576)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  // Let a CompactLog go by so that the follower must get a snapshot.
  const deadline = Date.now() + 30_000
  let st = await cluster.status(lead)
  while (st.truncatedIndex < st.appliedIndex - 400 && Date.now() < deadline) {
    await sleep(100)
    st = await cluster.status(lead)
  }
  const leaderPid = cluster.nodes.get(lead)!.proc?.pid
  const leaderRssBefore = rssMb(leaderPid, 'VmRSS')
  const termBefore = st.term

  const start = performance.now()
  await cluster.startNode(follower)
  const followerPid = cluster.nodes.get(follower)!.proc?.pid
  let leaderPeak = leaderRssBefore
  let followerPeak = 0
  let leaderChanged = false
  for (;;) {
    const [ls, fs] = await Promise.all([cluster.status(lead), cluster.status(follower)])
    leaderPeak = Math.max(leaderPeak, rssMb(leaderPid, 'VmRSS'))
    followerPeak = Math.max(followerPeak, rssMb(followerPid, 'VmRSS'))
    if (ls.role !== 'leader' || ls.term !== termBefore) leaderChanged = true
    if (fs.snapshots.applied > 0 && fs.appliedIndex >= st.appliedIndex) break
    if (performance.now() - start > 600_000) throw new Error('snapshot did not complete in 10 minutes')
    await sleep(100)
  }
  const seconds = (performance.now() - start) / 1000
  const [ls, fs] = await Promise.all([cluster.status(lead), cluster.status(follower)])
  const sent = ls.snapshots.transfers.filter((t) => t.direction === 'send' && t.peer === follower && t.state === 'done').pop()
  const bytes = sent?.bytesDone ?? 0
  const result = {
    bench: 'snapshot', date: new Date().toISOString(), node: process.version,
    stateMiB: Math.round((count * valueBytes) / 1048576), snapshotBytes: bytes,
    totalSeconds: +seconds.toFixed(2),
    transferMBps: sent ? +((sent.rateBytesPerSec ?? 0) / 1048576).toFixed(1) : 0,
    endToEndMBps: +((bytes / 1048576) / seconds).toFixed(1),
    senderPeakRssMb: Math.max(leaderPeak, rssMb(leaderPid, 'VmHWM')),
    senderRssBeforeMb: leaderRssBefore,
    receiverPeakRssMb: Math.max(followerPeak, rssMb(followerPid, 'VmHWM')),
    followerLeaderGapMaxMs: (fs.counters as Record<string, number>)['raft.leaderGapMaxMs'] ?? 0,
    heartbeatIntervalMs: 200,
    leaderKept: !leaderChanged && ls.role === 'leader' && ls.term === termBefore,
    snapshots: { leader: { sent: ls.snapshots.sent, failed: ls.snapshots.failed }, follower: { received: fs.snapshots.received, applied: fs.snapshots.applied, failed: fs.snapshots.failed } },
  }
  console.log(JSON.stringify(result, null, 2))
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'snapshot.json')
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n')
  console.log(`wrote ${out}`)
} finally {
  await cluster.stop()
}
