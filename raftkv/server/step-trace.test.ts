// Step tracing is off unless RAFTKV_TRACE_DIR is set when the module loads; on, it keeps
// each step with a wall-clock time and writes them as one JSON file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'

const saved = process.env.RAFTKV_TRACE_DIR
afterEach(() => {
  if (saved === undefined) delete process.env.RAFTKV_TRACE_DIR
  else process.env.RAFTKV_TRACE_DIR = saved
  vi.resetModules()
})

describe('step trace', () => {
  it('is off without RAFTKV_TRACE_DIR: nothing kept, nothing written', async () => {
    delete process.env.RAFTKV_TRACE_DIR
    vi.resetModules()
    const t = await import('./step-trace.js')
    t.traceStep('put-received')
    expect([t.tracing, t.writeTrace()]).toEqual([false, undefined])
  })

  it('with RAFTKV_TRACE_DIR: keeps the steps in order with their times and writes trace-<pid>.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftkv-trace-test-'))
    try {
      process.env.RAFTKV_TRACE_DIR = dir
      vi.resetModules()
      const t = await import('./step-trace.js')
      const before = performance.timeOrigin + performance.now()
      t.traceStep('put-received')
      t.traceStep('ready', true)
      t.traceStep('persist')
      const path = t.writeTrace()
      expect(path).toBe(join(dir, `trace-${process.pid}.json`))
      const file = JSON.parse(readFileSync(path!, 'utf8')) as { pid: number; events: Array<[string, number, boolean?]>; dropped: number }
      expect(file.pid).toBe(process.pid)
      expect(file.events.map((e) => e[0])).toEqual(['put-received', 'ready', 'persist'])
      expect(file.events[1]![2]).toBe(true)
      expect(file.events[0]![1]).toBeGreaterThanOrEqual(before - 1)
      expect(file.events[2]![1]).toBeGreaterThanOrEqual(file.events[0]![1])
      expect(file.dropped).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
