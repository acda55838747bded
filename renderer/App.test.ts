import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import App from './App.vue'
import { button, mountWithFake, region, type Mounted } from './testing/mount-app'
import { FakeControlError } from './testing/fake-cluster'

let m: Mounted | undefined
afterEach(() => {
  m?.wrapper.unmount()
  m = undefined
})

function statusText(): string {
  return document.querySelector('[role="status"]')!.textContent!.trim()
}

describe('the dashboard', () => {
  it('starts a local cluster with one click and then names the leader in the status bar', async () => {
    m = await mountWithFake(App)
    expect(statusText()).toBe('No leader')
    button(document.body, 'Start local cluster').click()
    await flushPromises()
    await m.tick()
    expect(m.fake.calls).toContain('launch')
    expect(statusText()).toMatch(/^Leader: node \d · term \d+$/)
    for (const id of [1, 2, 3]) {
      const card = region(m.wrapper, `Node ${id}`)
      expect(card.textContent).toMatch(/leader|follower/)
      for (const name of ['Kill', 'Stop', 'Restart', 'Pause', 'Isolate', 'Make leader', 'Remove']) expect(button(card, name)).toBeTruthy()
    }
  })

  it('opens on the cluster when one is already up, and the leader card says leader', async () => {
    m = await mountWithFake(App, { launched: true })
    await m.tick()
    const leader = m.fake.view().leader
    expect(region(m.wrapper, `Node ${leader}`).querySelector('.role')!.textContent).toBe('leader')
  })

  it('kills the leader with its button; another leader follows in a higher term', async () => {
    m = await mountWithFake(App, { launched: true })
    await m.tick()
    const { leader, term } = m.fake.view()
    button(region(m.wrapper, `Node ${leader}`), 'Kill').click()
    await flushPromises()
    expect(m.fake.calls).toContain(`kill:${leader}`)
    await m.tick(2)
    expect(region(m.wrapper, `Node ${leader}`).textContent).toContain('crashed (signal SIGKILL)')
    const after = m.fake.view()
    expect(after.leader).not.toBe(leader)
    expect(after.term).toBeGreaterThan(term)
    expect(statusText()).toBe(`Leader: node ${after.leader} · term ${after.term}`)
  })

  it('updates the cards in place at every sample (the same DOM elements, new figures)', async () => {
    m = await mountWithFake(App, { launched: true })
    await m.tick()
    const card = region(m.wrapper, 'Node 2')
    const before = card.querySelector('.figures')!.textContent
    await m.tick(4)
    expect(region(m.wrapper, 'Node 2')).toBe(card)
    expect(card.querySelector('.figures')!.textContent).not.toBe(before)
  })

  it('shows a failed action in words on the card that started it', async () => {
    m = await mountWithFake(App, { launched: true })
    await m.tick()
    m.fake.failNext('pause', new FakeControlError('NODE_NOT_RUNNING', 'node 3 is not running'))
    button(region(m.wrapper, 'Node 3'), 'Pause').click()
    await flushPromises()
    const alert = region(m.wrapper, 'Node 3').querySelector('[role="alert"]')
    expect(alert?.querySelector('span')?.textContent).toBe('That node is not running (node 3 is not running).')
    expect(region(m.wrapper, 'Node 1').querySelector('[role="alert"]')).toBeNull()
    button(alert!, 'Dismiss').click()
    await flushPromises()
    expect(region(m.wrapper, 'Node 3').querySelector('[role="alert"]')).toBeNull()
  })

  it('says when the connection to the manager is lost', async () => {
    m = await mountWithFake(App, { launched: true })
    m.fake.setConnection('closed')
    await flushPromises()
    expect(document.querySelector('.status-bar')!.textContent).toContain('disconnected, retrying')
  })

  it('reaches every view from the navigation', async () => {
    m = await mountWithFake(App, { launched: true })
    await m.tick()
    for (const [tab, heading] of [['Network', 'Topology'], ['Membership', 'Voters'], ['Console', 'KV console'], ['Launch', 'Local cluster']] as const) {
      button(document.querySelector('nav')!, tab).click()
      await flushPromises()
      expect([...document.querySelectorAll('h2')].map((h) => h.textContent)).toContain(heading)
      expect(button(document.querySelector('nav')!, tab).getAttribute('aria-current')).toBe('page')
    }
  })
})
