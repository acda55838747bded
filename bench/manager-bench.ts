// bench:manager — the Supervisor itself, on real node processes from the built entry:
// launch() to a leader (3 nodes, median of 5), then at 5 nodes for BENCH_SECONDS (10):
// the status publication rate, the Supervisor's CPU % and RSS, with the nodes idle and
// under a light write load from a separate process, and the timeline's memory per
// sample (so its size for 30 minutes). Writes bench/results/manager.json, keeping the
// keys other parts write (the checker's ops/s comes from bench:check).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { Controller } from '../main/control/controller.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const root = mkdtempSync(join(tmpdir(), 'raftkv-bench-manager-'))
const here = dirname(fileURLToPath(import.meta.url))
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function launchToLeader(): Promise<number> {
  const c = new Controller({ appDataDir: root })
  const t0 = performance.now()
  let leaderAt = 0
  const off = c.subscribe('status', (v) => { if (v.leader !== 0 && leaderAt === 0) leaderAt = performance.now() })
  await c.launch({ nodes: 3 })
  while (leaderAt === 0) await sleep(5)
  off()
  await c.shutdown()
  return leaderAt - t0
}

interface Window { publishHz: number; cpuPercent: number; rssMb: number; heapMb: number }

/** Measures the Supervisor process over `seconds` while `c` publishes. */
async function measure(c: Controller): Promise<Window> {
  let published = 0
  const off = c.subscribe('status', () => { published++ })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let rss = 0
  while (performance.now() - t0 < seconds * 1000) {
    await sleep(250)
    rss = Math.max(rss, process.memoryUsage().rss)
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  off()
  return {
    publishHz: +(published / (wallMs / 1000)).toFixed(2),
    cpuPercent: +(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1),
    rssMb: Math.round(rss / 1024 / 1024),
    heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
  }
}

try {
  const launches: number[] = []
  for (let i = 0; i < 5; i++) launches.push(Math.round(await launchToLeader()))
  console.log(`launch → leader (3 nodes): ${launches.join(', ')} ms`)

  const c = new Controller({ appDataDir: root })
  await c.launch({ nodes: 5 })
  const idle = await measure(c)
  console.log('5 nodes idle:', idle)
  // A light write load from another process, so that its CPU is not the Supervisor's.
  const { endpoints } = { endpoints: (await c.status()).nodes.map((n) => n.addr) }
  const load = spawn(process.execPath, [join(here, '..', 'bin', 'raftkv.js'), 'load', '--endpoints', endpoints.join(','),
    '--clients', '8', '--duration', `${seconds + 5}s`, '--keys', '1000', '--get-ratio', '0.5'], {
    env: { ...process.env, RAFTKV_TOKEN: c.clusterToken! }, stdio: ['ignore', 'ignore', 'inherit'],
  })
  await sleep(1000)
  const loaded = await measure(c)
  console.log('5 nodes under load:', loaded)
  load.kill('SIGTERM')
  const view = await c.status()
  const sampleBytes = JSON.stringify({ timeMs: view.timeMs, view }).length
  const perSecond = 1000 / 500 // timeline samples at most every 500 ms
  await c.shutdown()

  const out = join(here, 'results', 'manager.json')
  mkdirSync(dirname(out), { recursive: true })
  const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> : {}
  const result = {
    ...previous,
    bench: 'manager',
    date: new Date().toISOString(),
    node: process.version,
    supervisor: {
      launchToLeaderMs: { nodes: 3, runs: launches, median: median(launches) },
      fiveNodes: { seconds, idle, underLoad: { ...loaded, load: '8 clients, 50% gets, from another process' } },
      timeline: {
        sampleBytes5Nodes: sampleBytes,
        samplesPerSecond: perSecond,
        mbFor30Min5Nodes: +((sampleBytes * perSecond * 1800) / 1024 / 1024).toFixed(1),
        memoryCapMb: 48,
      },
    },
  }
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n')
  console.log(`wrote ${out}`)
} finally {
  rmSync(root, { recursive: true, force: true })
}
