import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { button, mountWithFake, region, type Mounted } from '../testing/mount-app'
import { FakeControlError } from '../testing/fake-cluster'
import ConsoleView from './ConsoleView.vue'
import LaunchView from './LaunchView.vue'
import MembershipView from './MembershipView.vue'
import NetworkView from './NetworkView.vue'
import { useClusterStore } from '../stores/cluster'

let m: Mounted | undefined
afterEach(() => {
  m?.wrapper.unmount()
  m = undefined
})

async function connected(component: Parameters<typeof mountWithFake>[0], launched = true): Promise<Mounted> {
  const mounted = await mountWithFake(component, { launched })
  useClusterStore().connect()
  await mounted.tick(2)
  return mounted
}

describe('Launch view', () => {
  it('fills every default, folds the advanced settings, and launches with them', async () => {
    m = await connected(LaunchView, false)
    const details = m.wrapper.find('details')
    expect(details.attributes('open')).toBeUndefined()
    expect(details.find('summary').text()).toBe('Advanced settings')
    const value = (label: string) => (m!.wrapper.findAll('label').find((l) => l.text().startsWith(label))!.find('input').element as HTMLInputElement).value
    expect([value('Nodes'), value('Tick (ms)'), value('Election timeout'), value('Heartbeat'), value('Log GC threshold')]).toEqual(['3', '100', '10', '2', '1000'])
    const launched: unknown[] = []
    const original = m.fake.api.launch
    m.fake.api.launch = (spec) => {
      launched.push(spec)
      return original(spec)
    }
    button(document.body, 'Start local cluster').click()
    await flushPromises()
    expect(launched).toEqual([{ nodes: 3, tickMs: 100, electionTick: 10, heartbeatTick: 2, gcCountLimit: 1000 }])
    expect(m.wrapper.emitted('started')).toHaveLength(1)
    expect(m.wrapper.text()).toContain('A local cluster of 3 nodes is running.')
  })

  it('shows an attach failure in words under the attach form', async () => {
    m = await connected(LaunchView, false)
    await m.wrapper.find('textarea').setValue('127.0.0.1:7001')
    await m.wrapper.find('input[type="password"]').setValue('secret')
    await m.wrapper.findAll('form')[1]!.trigger('submit')
    await flushPromises()
    const attach = region(m.wrapper, 'Attach to a cluster')
    expect(attach.querySelector('[role="alert"] span')!.textContent).toBe('The cluster did not answer in time (no node answered at 127.0.0.1:7001).')
  })
})

describe('Network view', () => {
  it('isolates the leader through the preset and heals', async () => {
    m = await connected(NetworkView)
    const leader = m.fake.view().leader
    button(document.body, 'Isolate the leader').click()
    await flushPromises()
    expect(m.wrapper.find('.plan').text()).toBe(`{${leader}} | {${[1, 2, 3].filter((i) => i !== leader).join(', ')}}`)
    button(document.body, 'Apply partition').click()
    await m.tick(3)
    expect(m.fake.view().partition).toEqual([[leader], [1, 2, 3].filter((i) => i !== leader)])
    expect(m.wrapper.find('svg').attributes('aria-label')).toBe('3 nodes, 3 links: 2 cut, 0 lossy or slow')
    button(document.body, 'Heal').click()
    await m.tick()
    expect(m.fake.calls.slice(-2)).toEqual(['partition', 'heal'])
    expect(m.fake.view().partition).toBeNull()
  })

  it('applies a bridge as cut links and a link fault as drop and delay', async () => {
    m = await connected(NetworkView)
    const seen: unknown[] = []
    m.fake.api.setLinkFaults = async (p) => { seen.push(p) }
    button(document.body, 'Bridge').click()
    await flushPromises()
    button(document.body, 'Apply partition').click()
    await flushPromises()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ dropRate: 1 })
    seen.length = 0
    await m.wrapper.find('form.faults').trigger('submit')
    await flushPromises()
    expect(seen).toEqual([{ from: 1, to: 2, dropRate: 0.1, delayMs: 0 }])
  })

  it('starts the builder from the partition in effect', async () => {
    m = await connected(NetworkView)
    await m.fake.api.isolate({ id: 2 })
    await m.tick()
    const checked = (id: number) => (m!.wrapper.findAll(`input[name="group-${id}"]`).findIndex((r) => (r.element as HTMLInputElement).checked))
    expect([checked(1), checked(2), checked(3)]).toEqual([1, 0, 1])
    expect(m.wrapper.find('.current').text()).toBe('In effect: {2} | {1, 3}')
  })

  it('shows a refused partition in words next to the builder', async () => {
    m = await connected(NetworkView)
    m.fake.failNext('partition', new FakeControlError('BAD_ARGUMENT', 'every member in exactly one group'))
    button(document.body, 'Apply partition').click()
    await flushPromises()
    expect(m.wrapper.find('[role="alert"] span').text()).toBe('The request was refused as invalid (every member in exactly one group).')
  })
})

describe('Membership view', () => {
  it('adds a node and shows it catching up to the leader, by snapshot once the log was compacted', async () => {
    m = await connected(MembershipView)
    await m.tick(40)
    button(document.body, 'Add node').click()
    await m.tick()
    await m.tick()
    expect(m.wrapper.text()).toContain('Node 4 joining')
    expect(m.wrapper.text()).toContain('caught up (by snapshot)')
    expect(m.wrapper.find('.snapshot progress').attributes('aria-label')).toBe('Snapshot to node 4')
    await m.tick(20)
    expect(m.wrapper.text()).toContain('Node 4 joined')
    const rows = m.wrapper.findAll('table.voters tbody tr').map((r) => r.find('th').text())
    expect(rows).toEqual(['node 1', 'node 2', 'node 3', 'node 4'])
    button(document.body, 'Remove node 4').click()
    await m.tick()
    expect(m.fake.calls).toContain('removeNode:4')
  })
})

describe('KV console', () => {
  it('puts and gets a key, and scans', async () => {
    m = await connected(ConsoleView)
    await m.wrapper.find('input[value="put"]').setValue(true)
    const inputs = () => m!.wrapper.findAll('form input')
    await inputs()[0]!.setValue('greeting')
    await inputs()[1]!.setValue('hello')
    await m.wrapper.find('form').trigger('submit')
    await flushPromises()
    await m.wrapper.find('input[value="get"]').setValue(true)
    await m.wrapper.find('form').trigger('submit')
    await flushPromises()
    const answers = m.wrapper.findAll('.answers li')
    expect(answers[0]!.find('.req').text()).toContain('get greeting')
    expect(answers[0]!.find('.res').text()).toBe('hello')
    expect(answers[1]!.find('.res').text()).toBe('ok')
    await m.wrapper.find('input[value="scan"]').setValue(true)
    await m.wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(m.wrapper.find('.answers li .res').text()).toBe('1 key')
    expect(m.wrapper.find('.pairs').text()).toContain('greeting')
  })

  it('says in words that there is no leader', async () => {
    m = await connected(ConsoleView)
    m.fake.failNext('get', new FakeControlError('KV_ERROR', 'KV_ERROR', 'NOT_LEADER'))
    await m.wrapper.findAll('form input')[0]!.setValue('k')
    await m.wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(m.wrapper.find('.answers .error-text').text()).toBe('No leader could take the request (an election may be under way).')
  })
})
