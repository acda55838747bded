// The layering rules of ARCHITECTURE.md are enforced by lint: this checks that the
// rules really fire on code that breaks them (and stay quiet on code that does not).
import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const eslint = new ESLint({ cwd: root })

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) })
  return result!.messages.map((m) => m.ruleId ?? 'fatal')
}

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

  it('keeps raftkv/check free of the rest of raftkv/', async () => {
    expect(await ruleIds("import { RaftKvClient } from '../client/kv-client.js'\nexport const c = RaftKvClient\n", 'raftkv/check/violation.ts')).toContain('no-restricted-imports')
    expect(await ruleIds("import type { HistoryEvent } from './history-event.js'\nexport type E = HistoryEvent\n", 'raftkv/check/fine.ts')).toEqual([])
  })

  it('accepts the same code where it is allowed', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n", 'raftkv/server/fine.ts')).toEqual([])
  })
})
