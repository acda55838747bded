// The pure parts of the observer: the leader rule, links, rates, status events, the
// bounded stores (events, logs, timeline) and node line parsing.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClusterView, NodeStatusInfo, NodeView } from '../control/types.js'
import { buildLinks, emptyView, leaderOf } from './cluster-view.js'
import { LinkRates } from './link-rates.js'
import { statusEvents } from './status-events.js'
import { EventLog } from './event-log.js'
import { LogStore } from './log-store.js'
import { Timeline } from './timeline.js'
import { parseNodeLine } from './log-line.js'
import { eventOfLine } from './node-events.js'

function status(id: number, over: Partial<NodeStatusInfo> = {}): NodeStatusInfo {
  return {
    id, role: 'follower', term: 1, vote: 0, leader: 0, firstIndex: 1, lastIndex: 0, stabledIndex: 0, commitIndex: 0, appliedIndex: 0,
    truncatedIndex: 0, members: [], progress: [], counters: {}, snapshots: { sent: 0, received: 0, applied: 0, failed: 0, transfers: [] },
    faults: { blockedPeers: [], dropRate: 0, delayMs: 0, jitterMs: 0 }, addr: `127.0.0.1:${7000 + id}`, uptimeMs: 0, pid: 100 + id, removed: false, ...over,
  }
}

function nodeView(id: number, s: NodeStatusInfo | null): NodeView {
  return { id, addr: `127.0.0.1:${7000 + id}`, process: { state: 'running', pid: 100 + id, exitCode: null, signal: null, restarts: 0 }, status: s, lastSeenMs: 1 }
}

describe('leader rule', () => {
  it('takes the node that says leader in the highest term; an old leader in a lower term is not the leader', () => {
    const nodes = [nodeView(1, status(1, { role: 'leader', term: 2 })), nodeView(2, status(2, { role: 'leader', term: 3 })), nodeView(3, status(3, { term: 3 }))]
    expect(leaderOf(nodes)).toEqual({ leader: 2, term: 3 })
  })

  it('with no leader answers 0 and the highest term seen; silent nodes do not count', () => {
    expect(leaderOf([nodeView(1, status(1, { term: 4 })), nodeView(2, null), nodeView(3, status(3, { role: 'candidate', term: 5 }))])).toEqual({ leader: 0, term: 5 })
    expect(leaderOf([])).toEqual({ leader: 0, term: 0 })
  })
})

describe('links', () => {
  it('are cut when either end blocks the other, faulty with a per-link or node-wide rate or delay, up otherwise', () => {
    const nodes = [
      nodeView(1, status(1, { faults: { blockedPeers: [3], dropRate: 0, delayMs: 0, jitterMs: 0, links: [{ peer: 2, dropRate: 0.2, delayMs: 0, jitterMs: 0 }] } })),
      nodeView(2, status(2, { faults: { blockedPeers: [], dropRate: 0, delayMs: 30, jitterMs: 0 } })),
      nodeView(3, status(3)),
    ]
    const links = buildLinks(nodes, new LinkRates(), 0)
    const of = (a: number, b: number): string => { const l = links.find((x) => x.from === a && x.to === b)!; return `${l.state}:${l.dropRate}:${l.delayMs}` }
    expect(of(1, 2)).toBe('faulty:0.2:0')
    expect(of(1, 3)).toBe('cut:0:0')
    expect(of(3, 1)).toBe('cut:0:0')
    expect(of(2, 1)).toBe('faulty:0:30')
    expect(of(3, 2)).toBe('up:0:0')
    expect(links).toHaveLength(6)
  })

  it('rates come from the growth of the sender\'s per-peer counters over about a second', () => {
    const r = new LinkRates()
    r.update(1, status(1, { counters: { 'transport.sent.2.MsgAppend': 10, 'transport.sent.2.MsgHeartbeat': 5, 'kv.puts': 9 } }), 1000)
    r.update(1, status(1, { counters: { 'transport.sent.2.MsgAppend': 30, 'transport.sent.2.MsgHeartbeat': 15 } }), 2000)
    expect(r.rate(1, 2, 2000)).toEqual({ msgsPerSec: 30, byType: { MsgAppend: 20, MsgHeartbeat: 10 } })
    expect(r.rate(1, 3, 2000).msgsPerSec).toBe(0)
    // A sender heard from long ago sends nothing now; a restarted one starts over.
    expect(r.rate(1, 2, 10_000).msgsPerSec).toBe(0)
    r.update(1, status(1, { counters: { 'transport.sent.2.MsgAppend': 1 } }), 3000)
    expect(r.rate(1, 2, 3000).msgsPerSec).toBe(0)
  })
})

describe('status events', () => {
  const view = (leader: number, term: number, nodes: NodeView[] = []): ClusterView => ({ ...emptyView(0), mode: 'local', leader, term, nodes })

  it('names leader and term changes, compactions and (attached) role changes', () => {
    const a = view(1, 2, [nodeView(1, status(1, { role: 'leader', truncatedIndex: 5 }))])
    const b = view(2, 3, [nodeView(1, status(1, { role: 'follower', truncatedIndex: 9 }))])
    expect(statusEvents(a, b, false).map((e) => e.kind)).toEqual(['term-changed', 'leader-changed', 'log-compacted'])
    expect(statusEvents(a, b, true).map((e) => e.kind)).toContain('role-changed')
    expect(statusEvents(a, a, true)).toEqual([])
    expect(statusEvents(a, view(0, 2), false)[0]).toMatchObject({ kind: 'leader-changed', detail: { from: 1, to: 0 } })
  })
})

describe('stores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftkv-observe-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('event log: seq in order, bounded in memory, complete on disk', async () => {
    const log = new EventLog(3)
    log.setFile(join(dir, 'events.ndjson'))
    const seen: number[] = []
    const off = log.subscribe((e) => seen.push(e.seq))
    for (let i = 0; i < 5; i++) log.add('node-ready', i, { i })
    off()
    expect(log.since().map((e) => e.seq)).toEqual([3, 4, 5])
    expect(log.since(4).map((e) => e.seq)).toEqual([5])
    expect(seen).toEqual([1, 2, 3, 4, 5])
    await log.close()
    expect(readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n')).toHaveLength(5)
  })

  it('log store: newest lines per node, filtered by node, level, text and time; batches to listeners', async () => {
    const s = new LogStore(10, 5)
    const batches: number[] = []
    s.subscribe((b) => batches.push(b.length))
    for (let i = 0; i < 30; i++) s.add({ node: 1 + (i % 2), timeMs: i, level: i % 3 === 0 ? 'warn' : 'info', msg: `line ${i}`, fields: { i } })
    expect(s.query({ node: 1 }).length).toBeLessThanOrEqual(13)
    expect(s.query({ node: 1 }).at(-1)!.msg).toBe('line 28')
    expect(s.query({ level: 'warn' }).every((l) => l.level === 'warn')).toBe(true)
    expect(s.query({ text: 'LINE 29' }).map((l) => l.msg)).toEqual(['line 29'])
    expect(s.query({ sinceMs: 25, untilMs: 26 }).map((l) => l.timeMs)).toEqual([25, 26])
    expect(s.query({ limit: 2 }).map((l) => l.timeMs)).toEqual([28, 29])
    await new Promise((r) => setTimeout(r, 30))
    expect(batches.reduce((a, b) => a + b, 0)).toBe(30)
  })

  it('timeline: bounded by bytes in memory; older samples still answered from the file', async () => {
    const t = new Timeline(2000)
    t.setFile(join(dir, 'timeline.ndjson'))
    for (let i = 1; i <= 50; i++) t.record({ ...emptyView(i * 100), mode: 'local' })
    expect(t.memoryBytes).toBeLessThanOrEqual(2000)
    expect(t.samples).toBeLessThan(50)
    await new Promise((r) => setTimeout(r, 50))
    const all = await t.query()
    expect(all.map((s) => s.timeMs)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 100))
    expect((await t.query(1000, 1500)).map((s) => s.timeMs)).toEqual([1000, 1100, 1200, 1300, 1400, 1500])
    await t.close()
  })
})

describe('node lines', () => {
  it('parses pino JSON (level name, time, msg, the rest as fields) and keeps anything else', () => {
    const l = parseNodeLine(2, 'stdout', JSON.stringify({ level: 40, time: 5, pid: 9, node: 2, msg: 'hi', event: 'role-changed', role: 'leader', term: 7 }), 1)
    expect(l).toEqual({ node: 2, timeMs: 5, level: 'warn', msg: 'hi', fields: { pid: 9, node: 2, event: 'role-changed', role: 'leader', term: 7 } })
    expect(eventOfLine(l)).toMatchObject({ kind: 'role-changed', term: 7, detail: { role: 'leader' } })
    expect(parseNodeLine(2, 'stderr', 'boom', 3)).toEqual({ node: 2, timeMs: 3, level: 'error', msg: 'boom', fields: { stream: 'stderr' } })
    expect(parseNodeLine(2, 'stdout', '{not json', 3).msg).toBe('{not json')
    expect(eventOfLine(parseNodeLine(1, 'stdout', JSON.stringify({ level: 30, msg: 'x', event: 'snapshot-sent' }), 0))?.kind).toBe('snapshot-done')
    expect(eventOfLine(parseNodeLine(1, 'stdout', JSON.stringify({ level: 30, msg: 'x' }), 0))).toBeUndefined()
  })
})
