// raftkv as a bench target: a 3-node cluster started by the Supervisor (main/) from the
// built node entry (`npm run build:node`), in a temp folder removed at the end.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AdminClient, RaftKvClient } from '../../raftkv/client/index.js'
import { Supervisor } from '../../main/supervisor/supervisor.js'
import { plainNodeCommand } from '../../main/supervisor/launch-command.js'
import { sleep, type BenchTarget, type Putter } from './target.js'
import type { StartupMarks } from '../../raftkv/server/startup-marks.js'

export interface RaftkvTargetOptions {
  tickMs: number; electionTick: number; heartbeatTick: number; nodeFlags?: string[]
  /** Another built node entry than out/node/raftkv-node.cjs (an A/B of two builds). */
  entry?: string
}

export async function startRaftkv(o: RaftkvTargetOptions): Promise<BenchTarget & { token: string }> {
  const appDataDir = mkdtempSync(join(tmpdir(), 'raftkv-bench-'))
  const startups = new Map<number, StartupMarks>()
  const sup = await Supervisor.launch({
    nodes: 3, dataDir: undefined, basePort: undefined, tickMs: o.tickMs, electionTick: o.electionTick, heartbeatTick: o.heartbeatTick,
    // The app's own default (main/control/controller.ts): a restart reads this much log back.
    gcCountLimit: 1000, snapshotChunkBytes: undefined, snapshotRateLimitMiBps: undefined,
  }, { launch: plainNodeCommand(o.nodeFlags, o.entry), appDataDir, hooks: { event: () => {}, line: (l) => {
    if (l.fields.event === 'node-ready' && typeof l.fields.startup === 'object') startups.set(l.node, l.fields.startup as StartupMarks)
  } } })
  const ids = sup.members().map((m) => m.id)
  const endpoints = ids.map((id) => sup.addrOf(id)!)
  const statusOf = async (id: number): Promise<{ leader: number; role: string } | undefined> => {
    const admin = new AdminClient({ endpoint: sup.addrOf(id)!, token: sup.token, timeoutMs: 300 })
    try {
      const s = await admin.status()
      return { leader: s.leader, role: s.role }
    } catch {
      return undefined
    } finally {
      await admin.close()
    }
  }
  return {
    name: 'raftkv', token: sup.token, endpoints,
    members: () => ids,
    pidOf: (id) => sup.pidOf(id),
    async waitForLeader(timeoutMs = 20_000) {
      const until = performance.now() + timeoutMs
      while (performance.now() < until) {
        const sts = await Promise.all(ids.filter((id) => sup.pidOf(id) !== undefined).map(statusOf))
        const leaders = sts.filter((s) => s?.role === 'leader')
        if (leaders.length === 1 && sts.every((s) => s?.leader === leaders[0]!.leader)) return leaders[0]!.leader
        await sleep(50)
      }
      throw new Error(`raftkv: no agreed leader within ${timeoutMs} ms`)
    },
    kill: (id) => sup.kill(id),
    pause: (id) => sup.pause(id),
    resume: (id) => sup.resume(id),
    start: (id) => sup.start(id),
    lastStartupMarks: (id) => startups.get(id),
    putter(attemptMs): Putter {
      const client = new RaftKvClient({ endpoints, token: sup.token, timeoutMs: Math.max(1000, 4 * attemptMs), attemptTimeoutMs: attemptMs })
      return { put: (k, v) => client.put(k, v), close: () => client.close() }
    },
    async stop() {
      await sup.shutdown()
      if (process.env.BENCH_KEEP === undefined) rmSync(appDataDir, { recursive: true, force: true })
      else console.log(`kept ${appDataDir}`)
    },
  }
}
