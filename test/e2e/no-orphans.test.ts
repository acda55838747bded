// No orphans: the nodes of a Supervisor that dies by SIGKILL exit on their own (parent
// watchdog), and so does a node started through a wrapper (npx runs `sh -c raftkv ...`)
// when the wrapper is SIGKILLed. Checked by pid.
import { afterEach, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { freePorts } from '../../main/supervisor/ports.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Alive: it exists and has not exited (a zombie waiting for init to reap it has exited). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** The first stdout line of `proc` that parses as JSON and passes pred. */
function firstLine<T>(proc: ChildProcess, pred: (rec: Record<string, unknown>) => boolean, timeoutMs: number): Promise<T> {
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching line in ${timeoutMs} ms`)), timeoutMs)
    proc.once('exit', (code) => reject(new Error(`exited (${code}) before the line`)))
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>
        if (pred(rec)) {
          clearTimeout(timer)
          resolveLine(rec as T)
        }
      } catch {
        // not JSON
      }
    })
  })
}

/** Waits until none of pids is alive; returns how long that took (throws past the deadline). */
async function allGone(pids: number[], timeoutMs: number): Promise<number> {
  const t0 = Date.now()
  while (pids.some(isAlive)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`still alive after ${timeoutMs} ms: ${pids.filter(isAlive).join(', ')}`)
    await sleep(20)
  }
  return Date.now() - t0
}

describe('no orphans', () => {
  const leftovers: number[] = []
  const dirs: string[] = []
  afterEach(() => {
    for (const pid of leftovers.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('every node of a SIGKILLed Supervisor exits on its own (parent watchdog)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-orphan-'))
    dirs.push(dir)
    // A Supervisor in a process of its own, from the built code, as a user would run it.
    const controller = pathToFileURL(join(ROOT, 'out', 'node', 'main', 'control', 'controller.js')).href
    const script = `const { Controller } = await import(${JSON.stringify(controller)})
      const c = new Controller({ appDataDir: ${JSON.stringify(dir)} })
      await c.launch({ nodes: 3 })
      console.log(JSON.stringify({ pids: c.nodePids() }))
      setInterval(() => {}, 1000)`
    const sup = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    leftovers.push(sup.pid!)
    const { pids } = await firstLine<{ pids: number[] }>(sup, (r) => Array.isArray(r.pids), 60_000)
    leftovers.push(...pids)
    expect(pids.length).toBe(3)
    expect(pids.every(isAlive)).toBe(true)
    sup.kill('SIGKILL')
    // 2 s is the promise; the bound here is wider only because the machine is shared.
    const ms = await allGone(pids, 10_000)
    console.log(`nodes gone ${ms} ms after the Supervisor's SIGKILL`)
    expect(pids.filter(isAlive)).toEqual([])
  })

  it('a node behind a wrapper (like npx: a shell between) exits when the wrapper is SIGKILLed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-orphan-'))
    dirs.push(dir)
    const [port] = await freePorts(1)
    // `; true` keeps the shell from exec-ing the node: the shell stays between, as under npx.
    const cmd = `"${process.execPath}" "${join(ROOT, 'bin', 'raftkv.js')}" node --id 1 --peers 1=127.0.0.1:${port!} --data-dir "${join(dir, 'n1')}"; true`
    const wrapper = spawn(process.execPath, ['-e', `require('child_process').spawn('sh', ['-c', ${JSON.stringify(cmd)}], { stdio: 'inherit' }); setInterval(() => {}, 1000)`], {
      env: { ...process.env, RAFTKV_TOKEN: 'orphan-test-token-0123456789' }, stdio: ['ignore', 'pipe', 'inherit'],
    })
    leftovers.push(wrapper.pid!)
    const ready = await firstLine<{ pid: number }>(wrapper, (r) => r.event === 'node-ready', 60_000)
    leftovers.push(ready.pid)
    expect(isAlive(ready.pid)).toBe(true)
    wrapper.kill('SIGKILL')
    const ms = await allGone([ready.pid], 10_000)
    console.log(`node gone ${ms} ms after its wrapper's SIGKILL`)
    expect(isAlive(ready.pid)).toBe(false)
  })
})
