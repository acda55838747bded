// The layering rules of ARCHITECTURE.md are enforced by lint: this checks that the
// rules really fire on code that breaks them (and stay quiet on code that does not).
// Fixture code is linted under the path it would have, so the rules are proven for
// packages whose folders do not exist yet too.
import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'
import { posix, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const eslint = new ESLint({ cwd: root })

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) })
  return result!.messages.map((m) => m.ruleId ?? 'fatal')
}

/** The distinct rules that fire (one import may match two patterns of the same rule). */
async function rules(code: string, filePath: string): Promise<string[]> {
  return [...new Set(await ruleIds(code, filePath))]
}

/** The folder of each package, and what it may import (ARCHITECTURE.md). */
const DIRS: Record<string, string> = {
  raft: 'raftkv/raft', storage: 'raftkv/storage', transport: 'raftkv/transport', server: 'raftkv/server',
  client: 'raftkv/client', check: 'raftkv/check', cli: 'raftkv/cli', main: 'main', electron: 'electron',
  renderer: 'renderer', proto: 'proto',
}
const USES: Record<string, string[]> = {
  raft: ['proto'], storage: ['raft', 'proto'], transport: ['proto'], server: ['raft', 'storage', 'transport', 'proto'],
  client: ['proto', 'check'], check: [], cli: ['server', 'client', 'main'], main: ['proto', 'client', 'check'],
  electron: ['main'], renderer: [],
}
const ENTRY: Record<string, string> = { proto: 'generated/protos.js' }

/** An import of `file` in package `to`, written from a file in `fromDir`. */
function importOf(fromDir: string, to: string, file: string): string {
  const spec = posix.relative(fromDir, `${DIRS[to]}/${file}`)
  return `import * as dep from '${spec}'\nexport const used = dep\n`
}

const forbidden = Object.keys(USES).flatMap((from) =>
  Object.keys(DIRS).filter((to) => to !== from && !USES[from]!.includes(to) && !(from === 'renderer' && to === 'main')).map((to) => [from, to] as const))
const allowed = Object.keys(USES).flatMap((from) => USES[from]!.map((to) => [from, to] as const))

describe('layering lint', () => {
  it('keeps raftkv/raft pure: no Node modules, I/O libraries, timers, clock or Math.random', async () => {
    const ids = await ruleIds([
      "import { readFileSync } from 'node:fs'",
      "import WebSocket from 'ws'",
      "import { RocksLevel } from '@nxtedition/rocksdb'",
      'export const x = Math.random() + Date.now() + String(readFileSync) + String(WebSocket) + String(RocksLevel)',
      'setTimeout(() => {}, 1)',
    ].join('\n'), 'raftkv/raft/violation.ts')
    expect(ids.filter((r) => r === 'no-restricted-imports')).toHaveLength(3)
    expect(ids).toContain('no-restricted-properties')
    expect(ids.filter((r) => r === 'no-restricted-globals')).toHaveLength(2)
  })

  it('keeps raftkv/raft from importing the rest of raftkv/', async () => {
    const ids = await ruleIds("import { PeerStorage } from '../storage/peer-storage.js'\nexport const y = PeerStorage\n", 'raftkv/raft/violation.ts')
    expect(ids).toContain('no-restricted-imports')
  })

  it('keeps electron out of main/ and the manager out of raftkv/', async () => {
    expect(await ruleIds("import { app } from 'electron'\nexport const a = app\n", 'main/violation.ts')).toContain('no-restricted-imports')
    expect(await ruleIds("import { ref } from 'vue'\nexport const r = ref\n", 'raftkv/server/violation.ts')).toContain('no-restricted-imports')
  })

  it('accepts the same code where it is allowed', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n", 'raftkv/server/fine.ts')).toEqual([])
  })

  it.each(forbidden)('refuses every import of %s -> %s (its index included), at any folder depth', async (from, to) => {
    const entry = ENTRY[to] ?? 'index.js'
    expect(await rules(importOf(DIRS[from]!, to, entry), `${DIRS[from]}/violation.ts`)).toEqual(['no-restricted-imports'])
    expect(await rules(importOf(`${DIRS[from]}/deep/er`, to, entry), `${DIRS[from]}/deep/er/violation.ts`)).toEqual(['no-restricted-imports'])
  })

  it.each(allowed)('lets %s import %s only through its entry module', async (from, to) => {
    const entry = from === 'renderer' ? 'control/types.js' : ENTRY[to] ?? 'index.js'
    expect(await rules(importOf(DIRS[from]!, to, entry), `${DIRS[from]}/fine.ts`)).toEqual([])
    expect(await rules(importOf(`${DIRS[from]}/deep`, to, entry), `${DIRS[from]}/deep/fine.ts`)).toEqual([])
    expect(await rules(importOf(DIRS[from]!, to, 'internal/module.js'), `${DIRS[from]}/violation.ts`)).toEqual(['no-restricted-imports'])
    expect(await rules(importOf(DIRS[from]!, to, 'module.js'), `${DIRS[from]}/violation.ts`)).toEqual(['no-restricted-imports'])
  })

  it('lets the renderer take only the control API types from main/, and no Node module', async () => {
    expect(await rules("import type { ControlApi } from '../../main/control/types'\nexport type A = ControlApi\n", 'renderer/api/fine.ts')).toEqual([])
    expect(await rules("import { CONTROL_METHODS } from '../../main/control/methods'\nexport const m = CONTROL_METHODS\n", 'renderer/api/violation.ts')).toEqual(['no-restricted-imports'])
    expect(await rules("import { Supervisor } from '../../main/index.js'\nexport const s = Supervisor\n", 'renderer/api/violation.ts')).toEqual(['no-restricted-imports'])
    for (const mod of ['node:fs', 'fs', 'path', 'child_process', 'ws', 'electron']) {
      expect(await rules(`import * as m from '${mod}'\nexport const x = m\n`, 'renderer/stores/violation.ts'), mod).toEqual(['no-restricted-imports'])
    }
    expect(await rules("import { ref } from 'vue'\nexport const r = ref\n", 'renderer/stores/fine.ts')).toEqual([])
  })

  it('lets electron/ take main/index.ts and the control API types, and import electron itself', async () => {
    expect(await rules("import type { ControlApi } from '../main/control/types.js'\nexport type A = ControlApi\n", 'electron/fine.ts')).toEqual([])
    expect(await rules("import { app } from 'electron'\nexport const a = app\n", 'electron/fine.ts')).toEqual([])
    expect(await rules("import { Supervisor } from '../main/supervisor/supervisor.js'\nexport const s = Supervisor\n", 'electron/violation.ts')).toEqual(['no-restricted-imports'])
  })

  it('keeps raftkv/check free of Node modules and I/O, and raft/testing and transport/testing within their layer', async () => {
    expect(await rules("import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n", 'raftkv/check/violation.ts')).toEqual(['no-restricted-imports'])
    expect(await rules("import { mulberry32 } from '../../raft/prng.js'\nexport const r = mulberry32\n", 'raftkv/transport/testing/violation.ts')).toEqual(['no-restricted-imports'])
    expect(await rules("import { PeerStorage } from '../../storage/index.js'\nexport const p = PeerStorage\n", 'raftkv/raft/testing/violation.ts')).toEqual(['no-restricted-imports'])
    expect(await rules("import { PeerStorage } from '../../storage/peer-storage.js'\nexport const p = PeerStorage\n", 'raftkv/raft/tracker/violation.ts')).toEqual(['no-restricted-imports'])
  })

  it('leaves test files free to wire packages together', async () => {
    expect(await rules("import { PeerStorage } from '../storage/peer-storage.js'\nexport const p = PeerStorage\n", 'raftkv/server/wiring.test.ts')).toEqual([])
  })
})
