// The dashboard end to end: the built renderer served by `raftkv cluster up`, in
// Debian's Chromium, against real node processes. Each step saves a screenshot under
// .screenshots/dashboard/ (git-ignored) for a person to look at.
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, type Browser } from '../harness/browser.js'
import { alive, ClusterUp } from '../harness/cluster-up.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const SHOTS = join(ROOT, '.screenshots', 'dashboard')
const WAIT = 45_000

let up: ClusterUp
let browser: Browser
let page: Page
const pids = new Set<number>()

async function statusText(): Promise<string> {
  return (await page.getByRole('status').textContent())?.trim() ?? ''
}

/** The leader and term the status bar names, once it names one. */
async function waitForLeader(other?: { than: number; aboveTerm: number }): Promise<{ leader: number; term: number }> {
  let found = { leader: 0, term: 0 }
  await expect.poll(async () => {
    const m = /^Leader: node (\d+) · term (\d+)$/.exec(await statusText())
    if (m === null) return false
    found = { leader: Number(m[1]), term: Number(m[2]) }
    return other === undefined || (found.leader !== other.than && found.term > other.aboveTerm)
  }, { timeout: WAIT, interval: 200 }).toBe(true)
  return found
}

function card(id: number): Locator {
  return page.getByRole('region', { name: `Node ${id}`, exact: true })
}

async function view(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click()
}

/** Every node pid the dashboard shows, so that the end can check none outlives the test. */
async function notePids(): Promise<void> {
  for (const pid of await page.locator('.node-card .process[data-pid]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pid'))))) pids.add(pid)
}

async function shot(name: string): Promise<void> {
  await notePids()
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('out/renderer is not built: run `npm run build` first')
  mkdirSync(SHOTS, { recursive: true })
  up = await ClusterUp.start()
  browser = await openBrowser()
  page = browser.page
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await up?.stop()
  for (const pid of pids) expect(alive(pid), `node pid ${pid} outlived cluster up`).toBe(false)
}, 60_000)

describe('the dashboard in Chromium against real nodes', () => {
  it('starts a local cluster with one click and shows its leader', async () => {
    await page.goto(up.ready.url)
    // cluster up launched one already: shut it down, then start one from the Launch view.
    await view('Launch')
    await page.getByRole('button', { name: 'Shut down cluster' }).click()
    await expect.poll(statusText, { timeout: WAIT }).toBe('No leader')
    await page.getByRole('button', { name: 'Start local cluster' }).click()
    const { leader } = await waitForLeader()
    await expect.poll(() => card(leader).locator('.role').textContent(), { timeout: WAIT }).toBe('leader')
    for (const id of [1, 2, 3]) await expect.poll(() => card(id).locator('.process').textContent(), { timeout: WAIT }).toBe('running')
    // Live at ≥ 4 status samples a second, patched in place: the card's element survives them.
    await expect.poll(async () => Number(/(\d+) updates\/s/.exec((await page.locator('.status-bar').textContent()) ?? '')?.[1] ?? 0), { timeout: WAIT }).toBeGreaterThanOrEqual(4)
    const element = await card(leader).elementHandle()
    await page.waitForTimeout(1500)
    expect(await element!.evaluate((e) => e.isConnected)).toBe(true)
    await shot('01-cluster-started')
  })

  it('puts and gets a key in the console', async () => {
    await view('Console')
    await page.getByRole('radio', { name: 'put' }).check()
    await page.getByLabel('Key', { exact: true }).fill('greeting')
    await page.getByLabel('Value', { exact: true }).fill('hello from the dashboard')
    await page.getByRole('button', { name: 'Run put' }).click()
    await expect.poll(() => page.locator('.answers li').first().locator('.res').textContent(), { timeout: WAIT }).toBe('ok')
    await page.getByRole('radio', { name: 'get' }).check()
    await page.getByRole('button', { name: 'Run get' }).click()
    await expect.poll(() => page.locator('.answers li').first().locator('.res').textContent(), { timeout: WAIT }).toBe('hello from the dashboard')
    await shot('02-console-put-get')
  })

  let killed = 0
  it('kills the leader with its button and sees a new leader in a higher term', async () => {
    await view('Cluster')
    const before = await waitForLeader()
    killed = before.leader
    await card(killed).getByRole('button', { name: 'Kill', exact: true }).click()
    await expect.poll(() => card(killed).locator('.process').textContent(), { timeout: WAIT }).toMatch(/^crashed|^stopped/)
    const after = await waitForLeader({ than: killed, aboveTerm: before.term })
    expect(after.term).toBeGreaterThan(before.term)
    await shot('03-leader-killed')
  })

  it('restarts the killed node, which rejoins as a follower', async () => {
    await card(killed).getByRole('button', { name: 'Restart', exact: true }).click()
    await expect.poll(() => card(killed).locator('.process').textContent(), { timeout: WAIT }).toBe('running')
    await expect.poll(() => card(killed).locator('.role').textContent(), { timeout: WAIT }).toBe('follower')
    await shot('04-killed-node-restarted')
  })

  it('isolates the leader: it loses leadership while the majority elects another', async () => {
    const before = await waitForLeader()
    await card(before.leader).getByRole('button', { name: 'Isolate', exact: true }).click()
    const after = await waitForLeader({ than: before.leader, aboveTerm: before.term })
    await expect.poll(() => card(before.leader).locator('.role').textContent(), { timeout: WAIT }).not.toBe('leader')
    expect(after.leader).not.toBe(before.leader)
    await shot('05-leader-isolated')
    await view('Network')
    await expect.poll(() => page.locator('svg.topology').getAttribute('aria-label'), { timeout: WAIT }).toMatch(/: 2 cut/)
    await shot('06-network-isolated')
  })

  it('heals the network', async () => {
    await page.getByRole('button', { name: 'Heal', exact: true }).click()
    await expect.poll(() => page.locator('svg.topology').getAttribute('aria-label'), { timeout: WAIT }).toMatch(/: 0 cut, 0 lossy/)
    await waitForLeader()
    await view('Cluster')
    // One leader again, and every node running.
    await expect.poll(async () => (await page.locator('.node-card .role').allTextContents()).filter((r) => r === 'leader').length, { timeout: WAIT }).toBe(1)
    await expect.poll(async () => (await page.locator('.node-card .process').allTextContents()).every((p) => p === 'running'), { timeout: WAIT }).toBe(true)
    await shot('07-healed')
  })

  it('adds a node and watches its applied index reach the leader\'s', async () => {
    await view('Membership')
    await page.getByRole('button', { name: 'Add node', exact: true }).click()
    await expect.poll(() => page.getByRole('heading', { name: /^Node 4 join/ }).count(), { timeout: WAIT }).toBe(1)
    await expect.poll(() => page.getByRole('heading', { name: 'Node 4 joined' }).count(), { timeout: 90_000 }).toBe(1)
    await shot('08-node-added')
    await view('Cluster')
    await expect.poll(() => card(4).locator('.process').textContent(), { timeout: WAIT }).toBe('running')
    await shot('09-cluster-four-nodes')
  })

  it('logged no console error, page error or CSP violation', () => {
    expect(browser.errors).toEqual([])
  })
})
