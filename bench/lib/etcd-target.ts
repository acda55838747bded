// etcd as a bench target: 3 members of the system's etcd (Debian's etcd-server) on loopback,
// ephemeral ports, temp data dirs, the same election timeout and heartbeat as the raftkv
// nodes. The load and the failover puts use its gRPC API (etcd-grpc.ts); status and
// membership calls, which are not measured, use its v3 JSON gateway (Node's fetch).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts } from '../../main/supervisor/ports.js'
import { EtcdGrpcClient } from './etcd-grpc.js'
import { sleep, type BenchTarget, type Putter } from './target.js'

export const ETCD_BIN = '/usr/bin/etcd'

/** The etcd version string, or undefined when etcd is not installed. */
export function etcdVersion(): string | undefined {
  const r = spawnSync(ETCD_BIN, ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) return undefined
  return /etcd Version: (\S+)/.exec(r.stdout)?.[1]
}


/** One v3 gateway call; throws on HTTP or gateway errors. */
export async function etcdCall(endpoint: string, path: string, body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
  const res = await fetch(`http://${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) })
  const json = await res.json() as Record<string, unknown>
  if (!res.ok || json.error !== undefined) throw new Error(`etcd ${endpoint}${path}: HTTP ${res.status} ${String(json.error ?? json.message ?? '')}`)
  return json
}

interface Member { id: number; name: string; client: string; peer: string; dir: string; proc: ChildProcess | undefined; memberId: string | undefined }

export async function startEtcd(o: { electionMs: number; heartbeatMs: number }): Promise<BenchTarget> {
  const root = mkdtempSync(join(tmpdir(), 'raftkv-bench-etcd-'))
  const ports = await freePorts(6)
  const members: Member[] = [1, 2, 3].map((id, i) => ({
    id, name: `e${id}`, client: `127.0.0.1:${ports[2 * i]!}`, peer: `127.0.0.1:${ports[2 * i + 1]!}`, dir: join(root, `e${id}`), proc: undefined, memberId: undefined,
  }))
  const cluster = members.map((m) => `${m.name}=http://${m.peer}`).join(',')
  const byId = (id: number): Member => members.find((m) => m.id === id)!
  const status = async (m: Member): Promise<{ memberId: string; leader: string } | undefined> => {
    try {
      const s = await etcdCall(m.client, '/v3/maintenance/status', {}, 300)
      const header = s.header as { member_id?: string } | undefined
      return { memberId: String(header?.member_id ?? ''), leader: String(s.leader ?? '') }
    } catch {
      return undefined
    }
  }
  const spawnMember = async (m: Member): Promise<void> => {
    m.proc = spawn(ETCD_BIN, [
      '--name', m.name, '--data-dir', m.dir,
      '--listen-client-urls', `http://${m.client}`, '--advertise-client-urls', `http://${m.client}`,
      '--listen-peer-urls', `http://${m.peer}`, '--initial-advertise-peer-urls', `http://${m.peer}`,
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'raftkv-bench',
      '--election-timeout', String(o.electionMs), '--heartbeat-interval', String(o.heartbeatMs),
      '--logger', 'zap', '--log-level', 'error',
    ], { stdio: ['ignore', 'ignore', 'ignore'] })
    const until = performance.now() + 30_000
    while (performance.now() < until) {
      if (m.proc.exitCode !== null) throw new Error(`etcd ${m.name} exited with ${m.proc.exitCode}`)
      const s = await status(m)
      if (s !== undefined) {
        m.memberId = s.memberId
        return
      }
      await sleep(10)
    }
    throw new Error(`etcd ${m.name} not serving within 30 s`)
  }
  const killMember = (m: Member, signal: NodeJS.Signals): Promise<void> => new Promise((resolve) => {
    const p = m.proc
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return resolve()
    p.once('exit', () => resolve())
    p.kill(signal)
  })
  const target: BenchTarget = {
    name: 'etcd', endpoints: members.map((m) => m.client),
    members: () => members.map((m) => m.id),
    pidOf: (id) => byId(id).proc?.pid,
    async waitForLeader(timeoutMs = 20_000) {
      const until = performance.now() + timeoutMs
      while (performance.now() < until) {
        const sts = await Promise.all(members.filter((m) => m.proc !== undefined).map(status))
        const lead = sts[0]?.leader
        if (lead && lead !== '0' && sts.every((s) => s?.leader === lead)) {
          const m = members.find((x) => x.memberId === lead)
          if (m) return m.id
        }
        await sleep(50)
      }
      throw new Error(`etcd: no agreed leader within ${timeoutMs} ms`)
    },
    async kill(id) {
      const m = byId(id)
      await killMember(m, 'SIGKILL')
      m.proc = undefined
    },
    pause: (id) => { byId(id).proc?.kill('SIGSTOP') },
    resume: (id) => { byId(id).proc?.kill('SIGCONT') },
    start: (id) => spawnMember(byId(id)),
    putter(attemptMs): Putter {
      let at = 0
      const clients = members.map((m) => new EtcdGrpcClient(m.client))
      return {
        async put(key, value) {
          // Like the raftkv client: on a failure try the next member at once, then the rest.
          let lastErr: unknown
          for (let hop = 0; hop < members.length; hop++) {
            const i = (at + hop) % members.length
            try {
              await clients[i]!.put(key, Buffer.from(value), attemptMs)
              at = i
              return
            } catch (e) {
              lastErr = e
            }
          }
          at = (at + 1) % members.length
          await sleep(10)
          throw lastErr
        },
        close: async () => { for (const c of clients) c.close() },
      }
    },
    async stop() {
      for (const m of members) m.proc?.kill('SIGCONT')
      await Promise.all(members.map((m) => killMember(m, 'SIGKILL')))
      rmSync(root, { recursive: true, force: true })
    },
  }
  try {
    await Promise.all(members.map(spawnMember))
    await target.waitForLeader()
  } catch (e) {
    await target.stop()
    throw e
  }
  return target
}
