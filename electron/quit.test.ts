import { describe, expect, it, vi } from 'vitest'
import { ControlError } from '../main/control/errors.js'
import type { ClusterView, NodeView, ProcessState } from '../main/control/types.js'
import type { StopAnswer } from './dialogs.js'
import { QuitGuard, runningNodes } from './quit.js'

vi.mock('electron', () => ({}))

function node(id: number, state: ProcessState): NodeView {
  return { id, addr: `127.0.0.1:${7000 + id}`, process: { state, pid: state === 'stopped' ? null : 100 + id, exitCode: null, signal: null, restarts: 0 }, status: null, lastSeenMs: 0 }
}

function view(mode: ClusterView['mode'], states: ProcessState[]): ClusterView {
  return { mode, leader: 0, term: 0, nodes: states.map((s, i) => node(i + 1, s)), partition: null, links: [], workload: null, timeMs: 0 }
}

function guard(v: ClusterView | Error, answer: StopAnswer = 'stop', exported = true) {
  const api = {
    status: vi.fn(async () => {
      if (v instanceof Error) throw v
      return v
    }),
    shutdown: vi.fn(async () => undefined),
    detach: vi.fn(async () => undefined),
  }
  const deps = {
    api,
    ask: vi.fn(async (_running: number) => answer),
    exportFirst: vi.fn(async () => exported),
    onError: vi.fn(),
  }
  return { g: new QuitGuard(deps), ...deps }
}

describe('graceful quit', () => {
  it('counts the local nodes whose process is up, a paused one included', () => {
    expect(runningNodes(view('local', ['running', 'paused', 'starting', 'stopped', 'crashed']))).toBe(3)
    expect(runningNodes(view('attached', ['external', 'external']))).toBe(0)
    expect(runningNodes(view('none', []))).toBe(0)
  })

  it('asks while a local cluster runs, then stops every node before allowing the exit', async () => {
    const t = guard(view('local', ['running', 'running', 'crashed']))
    expect(await t.g.prepare()).toBe(true)
    expect(t.ask).toHaveBeenCalledWith(2)
    expect(t.api.shutdown).toHaveBeenCalledTimes(1)
    expect(t.g.done).toBe(true)
    expect(await t.g.prepare()).toBe(true)
    expect(t.api.shutdown).toHaveBeenCalledTimes(1)
  })

  it('cancel keeps the app and the cluster running, and a later quit asks again', async () => {
    const t = guard(view('local', ['running']), 'cancel')
    expect(await t.g.prepare()).toBe(false)
    expect(t.api.shutdown).not.toHaveBeenCalled()
    expect(t.g.done).toBe(false)
    expect(await t.g.prepare()).toBe(false)
    expect(t.ask).toHaveBeenCalledTimes(2)
  })

  it('export first: stops after a finished export, stays when the export is cancelled', async () => {
    const ok = guard(view('local', ['running']), 'export-then-stop', true)
    expect(await ok.g.prepare()).toBe(true)
    expect(ok.exportFirst).toHaveBeenCalled()
    expect(ok.api.shutdown).toHaveBeenCalled()
    const no = guard(view('local', ['running']), 'export-then-stop', false)
    expect(await no.g.prepare()).toBe(false)
    expect(no.api.shutdown).not.toHaveBeenCalled()
  })

  it('a signal stops the nodes without asking', async () => {
    const t = guard(view('local', ['running']))
    expect(await t.g.prepare(false)).toBe(true)
    expect(t.ask).not.toHaveBeenCalled()
    expect(t.api.shutdown).toHaveBeenCalled()
  })

  it('an attached cluster is detached, never asked about or shut down', async () => {
    const t = guard(view('attached', ['external', 'external', 'external']))
    expect(await t.g.prepare()).toBe(true)
    expect(t.ask).not.toHaveBeenCalled()
    expect(t.api.detach).toHaveBeenCalled()
    expect(t.api.shutdown).not.toHaveBeenCalled()
  })

  it('with no cluster it just lets the app go', async () => {
    const t = guard(view('none', []))
    expect(await t.g.prepare()).toBe(true)
    expect(t.api.shutdown).not.toHaveBeenCalled()
    expect(t.api.detach).not.toHaveBeenCalled()
  })

  it('a second quit while one is under way does not ask twice', async () => {
    const t = guard(view('local', ['running']))
    const first = t.g.prepare()
    expect(await t.g.prepare()).toBe(false)
    expect(await first).toBe(true)
    expect(t.ask).toHaveBeenCalledTimes(1)
  })

  it('when the state cannot be read it still shuts down; a failed shutdown is reported and the app exits', async () => {
    const t = guard(new Error('status broke'))
    expect(await t.g.prepare()).toBe(true)
    expect(t.api.shutdown).toHaveBeenCalled()
    expect(t.onError).toHaveBeenCalledWith('Could not read the cluster state', expect.any(Error))

    const u = guard(view('local', ['running']))
    u.api.shutdown.mockRejectedValueOnce(new ControlError('TIMEOUT', 'node 2 did not stop'))
    expect(await u.g.prepare()).toBe(true)
    expect(u.onError).toHaveBeenCalledWith('Some nodes could not be stopped', expect.any(ControlError))

    const w = guard(new Error('status broke'))
    w.api.shutdown.mockRejectedValueOnce(new ControlError('NO_CLUSTER', 'nothing runs'))
    expect(await w.g.prepare()).toBe(true)
    expect(w.onError).toHaveBeenCalledTimes(1)
  })
})
