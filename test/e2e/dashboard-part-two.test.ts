// The dashboard's part two end to end, in Debian's Chromium against `raftkv cluster up`
// with five real nodes: the Timeline's live charts (render rate measured), a checked
// workload under a kill nemesis with its verdict, a known non-linearizable history file
// with its counterexample drawn, the replay slider dragged to before a leader was
// killed, and the export bundle downloaded with every node's lines. Screenshots of each
// step go to .screenshots/part-two/ (git-ignored) for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import * as tar from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { openBrowser, type Browser } from '../harness/browser.js'
import { alive, ClusterUp } from '../harness/cluster-up.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const SHOTS = join(ROOT, '.screenshots', 'part-two')
const WAIT = 60_000
const NODES = 5

let up: ClusterUp
let browser: Browser
let page: Page
let scratch: string
const pids = new Set<number>()

async function statusText(): Promise<string> {
  return (await page.getByRole('status').first().textContent())?.trim() ?? ''
}

/** The leader the status bar names now (leader 0: none). */
async function leaderShown(): Promise<{ leader: number; term: number }> {
  const m = /^Leader: node (\d+) · term (\d+)$/.exec(await statusText())
  return m === null ? { leader: 0, term: 0 } : { leader: Number(m[1]), term: Number(m[2]) }
}

async function leaderNow(): Promise<{ leader: number; term: number }> {
  await expect.poll(async () => (await leaderShown()).leader, { timeout: WAIT, interval: 200 }).toBeGreaterThan(0)
  return leaderShown()
}

function card(id: number): Locator {
  return page.getByRole('region', { name: `Node ${id}`, exact: true })
}

async function view(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true }).click()
}

/** A small picture of one part of the page, for the README (docs/screenshots/). */
async function part(name: string, locator: Locator): Promise<void> {
  // The fixed status bar would sit over the part (set through the CSSOM: the CSP allows no inline style).
  const bar = (hidden: boolean) => page.locator('.status-bar').evaluateAll((els, h) => { for (const el of els) (el as unknown as { style: { visibility: string } }).style.visibility = h ? 'hidden' : '' }, hidden)
  await bar(true)
  try {
    await locator.screenshot({ path: join(SHOTS, `docs-${name}.png`) })
  } finally {
    await bar(false)
  }
}

async function shot(name: string): Promise<void> {
  for (const pid of await page.locator('.node-card .process[data-pid]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pid'))))) pids.add(pid)
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

/** One JSON-RPC call on the control socket, as the page makes them (for the measurements). */
async function rpc(method: string, params: Record<string, unknown> = {}): Promise<{ result: unknown; bytes: number }> {
  const ws = new WebSocket(`${up.ready.control}?token=${encodeURIComponent(up.ready.token)}`)
  try {
    await new Promise<void>((r, j) => { ws.once('open', () => r()); ws.once('error', j) })
    const answer = new Promise<string>((r) => ws.once('message', (d: Buffer) => r(d.toString('utf8'))))
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
    const text = await answer
    return { result: (JSON.parse(text) as { result: unknown }).result, bytes: text.length }
  } finally {
    ws.close()
  }
}

/** A history no linearization explains: client 3 reads 1 after client 2's put of 2 completed. */
function staleReadHistory(): string {
  const ms = 1_000_000
  const ev = (type: string, process: number, f: string, value: string | null, t: number) => JSON.stringify({ type, process, f, key: 'x', value, time: t * ms })
  return [
    ev('invoke', 1, 'put', '1', 0), ev('ok', 1, 'put', '1', 10),
    ev('invoke', 2, 'put', '2', 20), ev('ok', 2, 'put', '2', 30),
    ev('invoke', 3, 'get', null, 40), ev('ok', 3, 'get', '1', 50),
    ev('invoke', 1, 'get', null, 45), ev('ok', 1, 'get', '2', 55),
  ].join('\n') + '\n'
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('out/renderer is not built: run `npm run build` first')
  mkdirSync(SHOTS, { recursive: true })
  scratch = mkdtempSync(join(tmpdir(), 'raftkv-part-two-'))
  up = await ClusterUp.start(['--nodes', String(NODES)])
  browser = await openBrowser({ width: 1360, height: 900 })
  page = browser.page
}, 150_000)

afterAll(async () => {
  await browser?.close()
  await up?.stop()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
  for (const pid of pids) expect(alive(pid), `node pid ${pid} outlived cluster up`).toBe(false)
}, 90_000)

describe('the dashboard, part two, in Chromium against five real nodes', () => {
  it('draws the Timeline\'s charts live, at the status rate, for five nodes', async () => {
    await page.goto(up.ready.url)
    await leaderNow()
    await view('Cluster')
    await expect.poll(() => page.locator('.node-card').count(), { timeout: WAIT }).toBe(NODES)
    await view('Timeline')
    const term = page.getByRole('figure', { name: 'Term per node' })
    await expect.poll(() => term.locator('canvas').count(), { timeout: WAIT }).toBeGreaterThan(0)
    await expect.poll(() => term.locator('.u-legend').textContent(), { timeout: WAIT }).toContain(`node ${NODES}`)
    const draws = () => term.locator('.plot').getAttribute('data-draws').then(Number)
    const d0 = await draws()
    const t0 = Date.now()
    await page.waitForTimeout(5000)
    const rate = ((await draws()) - d0) / ((Date.now() - t0) / 1000)
    console.log(`[part-two] term chart redraws at ${NODES} nodes: ${rate.toFixed(1)} per second`)
    expect(rate).toBeGreaterThan(1)
    await shot('01-timeline-live')
  })

  it('runs a checked workload under a kill nemesis for 10 s and shows the verdict "linearizable"', async () => {
    await view('Workload')
    await page.getByLabel('Duration (s)').fill('10')
    await page.getByLabel('Fault 1', { exact: true }).selectOption('kill')
    await page.getByLabel('Fault 1 every (s)').fill('4')
    await page.getByLabel('Fault 1 for (s)').fill('2')
    await page.getByRole('button', { name: 'Start workload' }).click()
    await expect.poll(() => page.getByTestId('ops-per-sec').textContent(), { timeout: WAIT }).toMatch(/^[1-9]/)
    await shot('02-workload-running')
    await expect.poll(() => page.getByTestId('verdict').first().textContent(), { timeout: 120_000, interval: 500 }).toBe('linearizable')
    await shot('03-workload-verdict')
    await part('verdict', page.getByRole('region', { name: /^Run / }))
    await view('Timeline')
    await expect.poll(() => page.locator('.event-list li[data-kind="nemesis"]').count(), { timeout: WAIT }).toBeGreaterThan(0)
    await expect.poll(() => page.getByLabel('Fault periods').textContent(), { timeout: WAIT }).toMatch(/kill: [1-9]/)
    await shot('04-timeline-after-workload')
    await page.mouse.wheel(0, -100_000)
    await part('timeline', page.getByRole('region', { name: 'Live charts' }))
  })

  it('opens a known non-linearizable history file and draws the counterexample', async () => {
    const file = join(scratch, 'stale-read.ndjson')
    writeFileSync(file, staleReadHistory())
    await view('Workload')
    await page.getByLabel('History file').setInputFiles(file)
    const panel = page.getByRole('region', { name: 'stale-read.ndjson' })
    await expect.poll(() => panel.getByTestId('verdict').textContent(), { timeout: WAIT }).toBe('not linearizable')
    const drawing = panel.getByRole('img', { name: /^Counterexample on key x/ })
    await expect.poll(() => drawing.locator('g.op').count(), { timeout: WAIT }).toBeGreaterThan(1)
    expect(await drawing.locator('g.op.stuck').count()).toBe(1)
    expect(await panel.locator('figcaption').textContent()).toMatch(/No linearization can place/)
    await shot('05-counterexample')
    await part('counterexample', panel)
  })

  it('drags the replay slider to before the leader was killed and sees it running and leading', async () => {
    await view('Cluster')
    // A leader that has held for 5 s, so that every sample of the last seconds shows it leading.
    let before = await leaderNow()
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(5000)
      const now = await leaderNow()
      if (now.leader === before.leader && now.term === before.term) break
      before = now
    }
    const victim = before.leader
    await expect.poll(() => card(victim).locator('.role').textContent(), { timeout: WAIT }).toBe('leader')
    const killedAt = Date.now()
    await card(victim).getByRole('button', { name: 'Kill', exact: true }).click()
    await expect.poll(async () => { const now = (await leaderShown()).leader; return now !== 0 && now !== victim && (await card(victim).locator('.process').textContent()) !== 'running' }, { timeout: WAIT, interval: 300 }).toBe(true)
    // Drag the thumb to about two seconds before the kill.
    const slider = page.getByRole('slider', { name: 'Replay position' })
    await page.mouse.wheel(0, -100_000)
    await slider.scrollIntoViewIfNeeded()
    const [min, max] = [Number(await slider.getAttribute('min')), Number(await slider.getAttribute('max'))]
    const box = (await slider.boundingBox())!
    const x = (t: number) => box.x + 8 + ((box.width - 16) * (t - min)) / (max - min)
    await page.mouse.move(x(max), box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(x((min + max) / 2), box.y + box.height / 2, { steps: 5 })
    await page.mouse.move(x(killedAt - 2000), box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    // The range grows while live samples arrive, so the drop lands a little later than
    // aimed on a slow machine: the arrow keys step whole samples to 1–4 s before the kill.
    const at = async () => Number(await slider.getAttribute('data-at-ms'))
    await expect.poll(at, { timeout: WAIT }).toBeGreaterThan(0)
    for (let i = 0; i < 400 && (await at()) > killedAt - 1000; i++) await slider.press('ArrowLeft')
    for (let i = 0; i < 400 && (await at()) < killedAt - 4000; i++) await slider.press('ArrowRight')
    expect(await at()).toBeLessThanOrEqual(killedAt - 1000)
    await expect.poll(() => page.getByRole('region', { name: 'Replay' }).textContent(), { timeout: WAIT }).toContain('Replaying')
    await expect.poll(() => card(victim).locator('.role').textContent(), { timeout: WAIT }).toBe('leader')
    expect(await card(victim).locator('.process').textContent()).toBe('running')
    expect(await statusText()).toBe(`Leader: node ${victim} · term ${before.term}`)
    await shot('06-replay-before-kill')
    await page.mouse.wheel(0, -100_000)
    await page.screenshot({ path: join(SHOTS, 'docs-replay.png'), clip: { x: 0, y: 0, width: 1360, height: 560 } })
    await view('Network')
    expect(await page.getByRole('region', { name: 'Replay' }).textContent()).toContain('Replaying')
    await shot('07-replay-network')
    await page.getByRole('button', { name: 'Back to live' }).click()
    await expect.poll(async () => { const now = (await leaderShown()).leader; return now !== 0 && now !== victim }, { timeout: WAIT }).toBe(true)
    expect(await page.getByRole('region', { name: 'Replay' }).textContent()).toContain('Live')
    // The replay buffer, measured: what the Supervisor recorded, as the page fetches it.
    const { result, bytes } = await rpc('timeline')
    const samples = result as { timeMs: number }[]
    const spanS = (samples[samples.length - 1]!.timeMs - samples[0]!.timeMs) / 1000
    console.log(`[part-two] replay buffer at ${NODES} nodes: ${samples.length} samples over ${spanS.toFixed(0)} s, ${(bytes / 1024).toFixed(0)} KiB of JSON (${(bytes / samples.length / 1024).toFixed(1)} KiB per sample)`)
    expect(samples.length).toBeGreaterThan(10)
    await card(victim).getByRole('button', { name: 'Restart', exact: true }).click().catch(() => undefined)
  })

  it('exports the bundle as a download with every node\'s log lines in it', async () => {
    await view('Logs')
    await expect.poll(() => page.locator('.lines .line').count(), { timeout: WAIT }).toBeGreaterThan(0)
    await shot('08-logs')
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.getByRole('button', { name: 'Export logs…' }).click()])
    const file = join(scratch, 'bundle.tar.gz')
    await download.saveAs(file)
    const out = join(scratch, 'bundle')
    mkdirSync(out)
    await tar.x({ file, cwd: out })
    const logs = new Map<number, string>()
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name))
        const m = /^(\d+)\.log$/.exec(e.name)
        if (m !== null && dir.endsWith('nodes')) logs.set(Number(m[1]), readFileSync(join(dir, e.name), 'utf8'))
      }
    }
    walk(out)
    expect([...logs.keys()].sort()).toEqual(Array.from({ length: NODES }, (_, i) => i + 1))
    for (const [id, text] of logs) {
      const lines = text.split('\n').filter((l) => l.trim() !== '')
      expect(lines.length, `node ${id}'s log in the bundle`).toBeGreaterThan(3)
    }
  })

  it('logged no console error, page error or CSP violation', () => {
    expect(browser.errors).toEqual([])
  })
})
