// Packaging, as far as it goes offline: electron-builder --dir with a stand-in Electron
// (the real binary cannot be fetched here) builds resources/app.asar from the built out/.
// The test opens the asar and checks what ships (and what must not), then runs the
// shipped node entry from an extracted copy through the Controller: proof that a node
// finds every runtime module and the RocksDB binding inside the package alone.
import { execFile } from 'node:child_process'
import { builtinModules } from 'node:module'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import asar from '@electron/asar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pathToFileURL } from 'node:url'
import { builtNodeEntry, Controller } from '../../main/index.js'
import { checkOffThread } from '../../main/workload/index.js'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}
const NODE_ENTRY = builtNodeEntry('')
const work = mkdtempSync(join(tmpdir(), 'raftkv-packaging-'))
const unpackedApp = join(work, 'dist', 'linux-unpacked')
const archive = join(unpackedApp, 'resources', 'app.asar')
let files: string[] = []

/** Top-level packages under node_modules/ in the asar listing (`@scope/name` or `name`). */
function packagesIn(listing: string[]): Set<string> {
  const names = new Set<string>()
  for (const f of listing) {
    const m = /^\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(f)
    if (m) names.add(m[1]!)
  }
  return names
}

/** Bare module specifiers a bundle imports or requires. */
function bareImports(code: string): Set<string> {
  const specs = new Set<string>()
  const patterns = [/^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm, /^\s*import\s*["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g, /\brequire\(\s*["']([^"']+)["']\s*\)/g]
  const packageName = /^(?:node:)?(?:@[a-z0-9._-]+\/)?[a-z0-9._-]+(?:\/[\w./-]+)?$/
  for (const re of patterns) for (const m of code.matchAll(re)) if (!m[1]!.startsWith('.') && packageName.test(m[1]!)) specs.add(m[1]!)
  return specs
}

function packageOf(spec: string): string {
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

beforeAll(async () => {
  for (const built of [pkg.main, 'out/preload/index.cjs', 'out/renderer/index.html', NODE_ENTRY]) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`)
  }
  // The stand-in Electron: electron-builder copies this folder as the app's runtime.
  const standIn = join(work, 'electron-dist')
  mkdirSync(standIn)
  writeFileSync(join(standIn, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n', { mode: 0o755 })
  const cli = join(root, 'node_modules', 'electron-builder', 'cli.js')
  await run(process.execPath, [cli, '--linux', 'dir', `-c.electronDist=${standIn}`, `-c.directories.output=${join(work, 'dist')}`], {
    cwd: root,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, CI: '1' },
  })
  files = asar.listPackage(archive, { isPack: false })
}, 300_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('app.asar built by electron-builder --dir', () => {
  it('holds the built main, preload and renderer, the node entry, package.json and the icon', () => {
    const have = new Set(files)
    for (const f of [`/${pkg.main}`, '/out/main/check-worker.js', '/out/preload/index.cjs', '/out/renderer/index.html', `/${NODE_ENTRY}`, '/package.json', '/build/icon.png']) {
      expect([f, have.has(f)]).toEqual([f, true])
    }
    // Every asset the page names is shipped.
    const html = asar.extractFile(archive, 'out/renderer/index.html').toString('utf8')
    const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => `/out/renderer/${m[1]}`)
    expect(assets.length).toBeGreaterThan(0)
    for (const a of assets) expect([a, have.has(a)]).toEqual([a, true])
  })

  it('ships no sources, maps or build info: only out/, node_modules/, package.json and the icon', () => {
    const stray = files.filter((f) => statSafe(f) && !/^\/(out|node_modules)(\/|$)|^\/package\.json$|^\/build(\/icon\.png)?$/.test(f))
    expect(stray).toEqual([])
    expect(files.filter((f) => f.startsWith('/out/') && (f.endsWith('.map') || f.endsWith('.ts') || f.endsWith('.tsbuildinfo')))).toEqual([])
  })

  it('holds every runtime dependency and no dev-only package (renderer libraries stay devDependencies)', () => {
    const shipped = packagesIn(files)
    for (const dep of Object.keys(pkg.dependencies)) expect([dep, shipped.has(dep)]).toEqual([dep, true])
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => !(d in pkg.dependencies))
    expect(devOnly.filter((d) => shipped.has(d))).toEqual([])
    for (const d of ['vue', 'pinia', 'uplot', 'electron', 'vite', 'typescript']) expect(shipped.has(d)).toBe(false)
    expect(statSync(archive).size).toBeLessThan(15 * 1024 * 1024)
  })

  it('leaves the RocksDB binding for this platform outside the asar (unpacked), and no other platform\'s', () => {
    const bindings = files.filter((f) => f.startsWith('/node_modules/@nxtedition/rocksdb/') && f.endsWith('.node'))
    expect(bindings).toEqual([`/node_modules/@nxtedition/rocksdb/prebuilds/${process.platform}-${process.arch}/@nxtedition+rocksdb.node`])
    const entry = asar.statFile(archive, bindings[0]!.slice(1)) as { unpacked?: boolean }
    expect(entry.unpacked).toBe(true)
    expect(existsSync(join(unpackedApp, 'resources', 'app.asar.unpacked', bindings[0]!))).toBe(true)
    expect(files.some((f) => f.startsWith('/node_modules/@nxtedition/rocksdb/deps/'))).toBe(false)
  })

  it('the main bundle needs only electron, Node built-ins and shipped packages; the sandboxed preload only electron', () => {
    const shipped = packagesIn(files)
    const builtins = new Set(builtinModules)
    const main = asar.extractFile(archive, pkg.main.replace(/^\//, '')).toString('utf8')
    const missing = [...bareImports(main)].filter((s) => s !== 'electron' && !s.startsWith('node:') && !builtins.has(s) && !shipped.has(packageOf(s)))
    expect(missing).toEqual([])
    const preload = asar.extractFile(archive, 'out/preload/index.cjs').toString('utf8')
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron'])
    expect(preload).not.toMatch(/^\s*import\s/m)
  })

  it('ships the node entry as one bundled file: it needs only Node built-ins and the shipped RocksDB binding.js', () => {
    const code = asar.extractFile(archive, NODE_ENTRY).toString('utf8')
    const builtins = new Set(builtinModules)
    const external = [...bareImports(code)].filter((s) => !s.startsWith('node:') && !builtins.has(s))
    // ws tries its optional native helpers inside try/catch and works without them.
    const optional = new Set(['bufferutil', 'utf-8-validate'])
    // RocksDB's JavaScript is in the bundle; its binding.js finds the prebuilt addon from its own folder.
    expect(external.filter((s) => !optional.has(s))).toEqual(['@nxtedition/rocksdb/binding.js'])
    expect(packagesIn(files).has('@nxtedition/rocksdb')).toBe(true)
    expect(packagesIn(files).has('node-gyp-build')).toBe(true)
    // No relative import or require: the whole node is in this one file.
    expect(code).not.toMatch(/\brequire\(\s*["']\.{1,2}\//)
  })

  it('checks a history on the shipped check thread (out/main/check-worker.js), from an extracted copy', async () => {
    const app = join(work, 'extracted-check')
    asar.extractAll(archive, app)
    const url = pathToFileURL(join(app, 'out', 'main', 'check-worker.js'))
    const put = { process: 0, f: 'put', key: 'k', value: '1' }
    const get = { process: 1, f: 'get', key: 'k' }
    const history = [
      { ...put, type: 'invoke', time: 1 }, { ...put, type: 'ok', time: 2 },
      { ...get, type: 'invoke', value: null, time: 3 }, { ...get, type: 'ok', value: '2', time: 4 },
    ].map((e) => JSON.stringify(e)).join('\n')
    const verdict = await checkOffThread({ kind: 'ndjson', ndjson: history, timeBudgetMs: 5000 }, { entry: { url, fromSource: false } })
    expect(verdict.outcome).toBe('not-linearizable')
  })

  it('runs a node from the shipped entry alone: extracted app, plain node, through the Controller', async () => {
    const app = join(work, 'extracted')
    asar.extractAll(archive, app) // also copies the unpacked files back in place
    expect(existsSync(join(app, NODE_ENTRY))).toBe(true)
    const controller = new Controller({
      launchCommand: { command: process.execPath, args: [join(app, NODE_ENTRY)] },
      appDataDir: join(work, 'clusters'),
    })
    let pids: number[] = []
    try {
      const view = await controller.launch({ nodes: 1 })
      pids = controller.nodePids()
      expect(view.nodes.map((n) => n.process.state)).toEqual(['running'])
      await controller.put({ key: 'packaged', value: 'yes' })
      expect(await controller.get({ key: 'packaged' })).toBe('yes')
      // The node really ran from the extracted package, not from the repository.
      const pid = view.nodes[0]!.process.pid!
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(join(app, NODE_ENTRY))
    } finally {
      await controller.shutdown()
    }
    expect(pids).toHaveLength(1)
    for (const pid of pids) expect(alive(pid)).toBe(false)
  }, 120_000)
})

function statSafe(f: string): boolean {
  try {
    const e = asar.statFile(archive, f.slice(1)) as { files?: unknown }
    return e.files === undefined // a file, not a directory
  } catch {
    return false
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

