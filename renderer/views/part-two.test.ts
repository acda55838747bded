// Component tests of the Timeline, Replay, Workload, Logs and Messages views against the
// fake cluster with its extras (uPlot stubbed: happy-dom has no canvas).
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { LinkView } from '../../main/control/types'
import App from '../App.vue'
import CounterexampleChart from '../components/CounterexampleChart.vue'
import MessageRates from '../components/MessageRates.vue'
import TopologyGraph from '../components/TopologyGraph.vue'
import { createFakeCluster } from '../testing/fake-cluster'
import { useClusterStore } from '../stores/cluster'
import { useLogsStore } from '../stores/logs'
import { useReplayStore } from '../stores/replay'
import { COUNTEREXAMPLE } from '../testing/fake-extras'
import { mountExtras, type MountedExtras } from '../testing/mount-extras'
import { button } from '../testing/mount-app'
import LogsView from './LogsView.vue'
import TimelineView from './TimelineView.vue'
import WorkloadView from './WorkloadView.vue'

let m: MountedExtras | undefined
afterEach(() => {
  m?.wrapper.unmount()
  m = undefined
})

describe('Timeline view', () => {
  it('lists events newest first, filters them by kind group and node, and draws four charts', async () => {
    m = await mountExtras(TimelineView)
    await m.tick(2)
    const leader = m.fake.view().leader
    await m.fake.api.kill({ id: leader })
    await m.tick(4)
    const kinds = () => m!.wrapper.findAll('.event-list li').map((li) => li.attributes('data-kind'))
    expect(kinds()[0]).toBe('term-changed')
    expect(kinds()).toContain('node-killed')
    expect(kinds()).toContain('cluster-launched')
    expect(m.wrapper.findAll('time-chart-stub').map((c) => c.attributes('title'))).toEqual(['Term per node', 'Commit index per node', 'Workload ops/s', 'Workload p99 latency'])
    expect(m.wrapper.find('[aria-label="Fault periods"]').text()).toContain('kill: 1 (in effect)')

    // Leadership off: no term or leader changes left.
    const leadership = m.wrapper.findAll('fieldset label').find((l) => l.text() === 'Leadership')!
    await leadership.find('input').setValue(false)
    expect(kinds().some((k) => k === 'term-changed' || k === 'leader-changed')).toBe(false)
    expect(kinds()).toContain('node-killed')
    // Only the killed node's events.
    await m.wrapper.find('select[aria-label="Node"]').setValue(String(leader))
    expect(new Set(kinds())).toEqual(new Set(['node-killed']))
  })

  it('feeds the charts one point per status sample, per node', async () => {
    m = await mountExtras(TimelineView)
    await m.tick(5)
    const chart = m.wrapper.findAll('time-chart-stub')[0]!
    expect(chart.attributes('labels')).toBe('node 1,node 2,node 3')
    const { useTimelineStore } = await import('../stores/timeline')
    const points = useTimelineStore().points()
    expect(points.length).toBeGreaterThanOrEqual(5)
    expect([...points[points.length - 1]!.term.keys()]).toEqual([1, 2, 3])
  })

  it('jumps from an event to the log lines around it', async () => {
    m = await mountExtras(TimelineView)
    await m.tick(6)
    const kill = m.fake.view().leader
    await m.fake.api.kill({ id: kill })
    await m.tick(6)
    const row = m.wrapper.findAll('.event-list li').find((li) => li.attributes('data-kind') === 'node-killed')!
    await row.findAll('button').find((b) => b.text() === 'Logs')!.trigger('click')
    await flushPromises()
    expect(m.wrapper.emitted('navigate')).toEqual([['logs']])
    const logs = useLogsStore()
    expect(logs.around?.label).toMatch(new RegExp(`^node-killed at node ${kill}`))
    expect(logs.filter.node).toBe(kill)
    expect(logs.around!.lines.length).toBeGreaterThan(0)
    expect(logs.around!.lines.every((l) => Math.abs(l.timeMs - logs.around!.timeMs) <= 3000)).toBe(true)
  })
})

describe('Replay', () => {
  it('drags back to before a kill: the cluster view shows the node leading, then back to live', async () => {
    m = await mountExtras(App)
    await m.tick(4)
    const cluster = useClusterStore()
    button(document.body, 'Cluster').click()
    await m.tick(4)
    const before = m.fake.view()
    const victim = before.leader
    const beforeMs = before.timeMs
    await m.fake.api.kill({ id: victim })
    await m.tick(8)
    expect(cluster.leader).not.toBe(victim)
    const slider = m.wrapper.find('input[aria-label="Replay position"]')
    expect(m.wrapper.find('.replay-bar').text()).toContain('Live')
    await slider.setValue(String(beforeMs))
    expect(useReplayStore().replaying).toBe(true)
    expect(m.wrapper.find('.replay-bar').text()).toContain('Replaying')
    expect(cluster.leader).toBe(victim)
    const card = [...document.querySelectorAll('[role="region"]')].find((r) => r.getAttribute('aria-label') === `Node ${victim}` || r.querySelector('h2,h3')?.textContent?.trim() === `Node ${victim}`)!
    expect(card.textContent).toContain('leader')
    expect(card.textContent).toContain('running')
    expect(document.querySelector('[role="status"]')!.textContent).toContain(`Leader: node ${victim}`)
    // Live samples keep arriving but the view stays in the past.
    await m.tick(2)
    expect(cluster.leader).toBe(victim)
    button(document.body, 'Back to live').click()
    await flushPromises()
    expect(cluster.replaying).toBeNull()
    expect(cluster.leader).not.toBe(victim)
    expect(m.wrapper.find('.replay-bar').text()).toContain('Live')
  })

  it('leaving the replayed views goes back to live', async () => {
    m = await mountExtras(App)
    await m.tick(2)
    button(document.body, 'Cluster').click()
    await m.tick(6)
    const replay = useReplayStore()
    replay.stepBy(-3)
    expect(replay.replaying).toBe(true)
    button(document.body, 'Console').click()
    await flushPromises()
    expect(replay.replaying).toBe(false)
    expect(useClusterStore().replaying).toBeNull()
  })

  it('still replays after the cluster was shut down', async () => {
    m = await mountExtras(App)
    button(document.body, 'Cluster').click()
    await m.tick(6)
    const leader = m.fake.view().leader
    await m.fake.api.shutdown()
    await m.tick(2)
    const replay = useReplayStore()
    await replay.load()
    replay.seek(replay.firstMs! + 500)
    await flushPromises()
    expect(useClusterStore().running).toBe(true)
    expect(useClusterStore().leader).toBe(leader)
  })
})

describe('Workload view', () => {
  it('starts a checked workload with a nemesis schedule, shows live figures and the verdict', async () => {
    m = await mountExtras(WorkloadView)
    await m.tick(2)
    await m.wrapper.findAll('input[type="number"]')[1]!.setValue('2')
    await m.wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(m.extras.workloadSpecs).toEqual([{ clients: 4, durationMs: 2000, keys: 5, getRatio: 0.5, nemesis: [{ kind: 'kill', everyMs: 4000, forMs: 2000 }] }])
    await m.tick(3)
    expect(m.wrapper.find('[data-testid="ops-per-sec"]').text()).toBe('160')
    expect(m.wrapper.text()).toContain('21 ms')
    expect(button(document.body, 'Start workload').disabled).toBe(true)
    await m.tick(8)
    expect(m.wrapper.find('[data-testid="verdict"]').text()).toBe('linearizable')
    expect(m.wrapper.find('#run-title').text()).toContain('done')
  })

  it('edits the nemesis schedule', async () => {
    m = await mountExtras(WorkloadView)
    button(document.body, 'Add fault').click()
    await flushPromises()
    await m.wrapper.find('select[aria-label="Fault 2"]').setValue('isolate-leader')
    button(document.body, 'Remove fault 1').click()
    await m.wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(m.extras.workloadSpecs[0]!.nemesis).toEqual([{ kind: 'isolate-leader', everyMs: 5000, forMs: 2000 }])
  })

  it('checks a history file and draws the counterexample of a non-linearizable one', async () => {
    m = await mountExtras(WorkloadView)
    const input = m.wrapper.find('input[type="file"]')
    const text = ['{"type":"invoke","process":1,"f":"put","key":"bad","value":"1","time":1}', '{"type":"ok","process":1,"f":"put","key":"bad","value":"1","time":2}'].join('\n')
    Object.defineProperty(input.element, 'files', { value: [new File([text], 'broken.ndjson')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    await flushPromises()
    expect(m.wrapper.find('[data-testid="verdict"]').text()).toBe('not linearizable')
    expect(m.wrapper.find('.verdict h3').text()).toContain('broken.ndjson')
    expect(m.wrapper.find('svg[aria-label^="Counterexample on key bad"]').exists()).toBe(true)
    expect(m.wrapper.find('figcaption').text()).toContain("client 3's get → 1")
  })
})

describe('Counterexample drawing', () => {
  it('draws a row per client and a bar per operation, the stuck one marked, unknown outcomes open', () => {
    const w = mount(CounterexampleChart, { props: { example: COUNTEREXAMPLE } })
    expect(w.findAll('text.client').map((t) => t.text())).toEqual(['client 1', 'client 2', 'client 3'])
    const ops = w.findAll('g.op')
    expect(ops.map((o) => o.find('text').text())).toEqual(['put 1', 'put 2', 'get → 1', 'put 3'])
    expect(ops.map((o) => o.classes().filter((c) => c !== 'op'))).toEqual([[], [], ['stuck'], ['open', 'info']])
    // Order kept on the warped axis: each bar starts right of the previous instants.
    const x = ops.map((o) => Number(o.find('rect').attributes('x')))
    expect([...x].sort((a, b) => a - b)).toEqual(x)
    expect(w.find('.reason').text()).toBe(COUNTEREXAMPLE.reason)
    expect(ops[3]!.find('title').text()).toContain('never completed')
  })
})

describe('Logs view', () => {
  it('tails the merged lines, filters by node, level and text, and exports', async () => {
    m = await mountExtras(LogsView)
    await m.tick(4)
    const lines = () => m!.wrapper.findAll('.line')
    // Level info by default: only the leader's info lines (followers log at debug).
    expect(lines().length).toBeGreaterThan(0)
    await m.wrapper.find('select[aria-label="Lowest level"]').setValue('debug')
    const all = lines().length
    expect(new Set(lines().map((l) => l.find('.n').text()))).toEqual(new Set(['n1', 'n2', 'n3']))
    button(document.body, 'node 2').click()
    await flushPromises()
    expect(lines().length).toBeLessThan(all)
    expect(new Set(lines().map((l) => l.find('.n').text()))).toEqual(new Set(['n2']))
    await m.wrapper.find('input[aria-label="Text filter"]').setValue('ROLE=LEADER')
    expect(lines().every((l) => l.text().includes('role=leader'))).toBe(true)
    button(document.body, 'Merged').click()
    await m.wrapper.find('input[aria-label="Text filter"]').setValue('')
    await flushPromises()
    // Web mode (no preload): the export is a download from the server with the page's token.
    let clicked = ''
    const click = HTMLAnchorElement.prototype.click
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) { clicked = this.getAttribute('href') ?? '' }
    try {
      button(document.body, 'Export logs…').click()
      await flushPromises()
    } finally {
      HTMLAnchorElement.prototype.click = click
    }
    expect(clicked).toMatch(/^\/export\?token=/)
    expect(m.wrapper.text()).toContain('The bundle is downloading.')
  })

  it('in the desktop app exports through exportBundle and says where it went', async () => {
    m = await mountExtras(LogsView)
    window.raftkv = m.fake.api as unknown as NonNullable<typeof window.raftkv>
    try {
      button(document.body, 'Export logs…').click()
      await flushPromises()
    } finally {
      delete window.raftkv
    }
    expect(m.extras.exports).toBe(1)
    expect(m.wrapper.text()).toContain('Saved 121 KiB to /tmp/raftkv-bundle.tar.gz')
  })
})

describe('Messages', () => {
  it('lists every link\'s rate per message family, and the topology labels name the busiest', async () => {
    const links: LinkView[] = [
      { from: 1, to: 2, state: 'up', dropRate: 0, delayMs: 0, msgsPerSec: 15, byType: { MsgAppend: 10, MsgHeartbeat: 5 } },
      { from: 2, to: 1, state: 'up', dropRate: 0, delayMs: 0, msgsPerSec: 15, byType: { MsgAppendResponse: 10, MsgHeartbeatResponse: 5 } },
      { from: 1, to: 3, state: 'cut', dropRate: 0, delayMs: 0, msgsPerSec: 0, byType: {} },
    ]
    const w = mount(MessageRates, { props: { links } })
    expect(w.findAll('thead th').map((t) => t.text())).toEqual(['Link', 'total', 'append', 'heartbeat'])
    expect(w.findAll('tbody tr').map((r) => r.findAll('th,td').map((c) => c.text()))).toEqual([
      ['1 → 2', '15/s', '10/s', '5.0/s'], ['1 → 3', 'cut', '–', '–'], ['2 → 1', '15/s', '10/s', '5.0/s'],
    ])
    const idle = mount(MessageRates, { props: { links: [...links, { from: 3, to: 2, state: 'up', dropRate: 0, delayMs: 0, msgsPerSec: 0 }] } })
    expect(idle.find('tfoot').text()).toBe('1 idle link not shown')
    const nodes = createFakeCluster({ launched: true, nodes: 3 }).view().nodes
    const graph = mount(TopologyGraph, { props: { nodes, links, partition: null } })
    const label = graph.findAll('g.edge-label').find((g) => g.find('text').text() === '30/s')!
    expect(label.findAll('text.types').map((t) => t.text())).toEqual(['app 20 · hb 10'])
    expect(label.find('title').text()).toBe('1 ↔ 2: append 20 · heartbeat 10')
  })
})
