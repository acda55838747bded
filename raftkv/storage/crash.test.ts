// SIGKILL a process that writes ready states and applies, at random instants, several
// times over the same data directory; after each kill the storage must reopen into a
// consistent state that keeps everything the process acknowledged.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PeerStorage } from './peer-storage.js'
import { checkConsistency } from './testing/crash-model.js'
import { TempDirs } from './testing/temp-dirs.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const writer = join(import.meta.dirname, 'testing', 'crash-writer.ts')

interface Ack { term: number; commit: number; applied: number }

/** Runs the writer until `killAfterAcks` acknowledgements, SIGKILLs it, returns the last one. */
function runAndKill(dataDir: string, seed: number, killAfterAcks: number): Promise<Ack | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let last: Ack | undefined
    let acks = 0
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [tag, term, commit, applied] = line.split(' ')
      if (tag !== 'ack') return
      last = { term: Number(term), commit: Number(commit), applied: Number(applied) }
      if (++acks === killAfterAcks) child.kill('SIGKILL')
    })
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last)
      else reject(new Error(`writer exited with ${code}: ${stderr}`))
    })
  })
}

describe('crash safety', () => {
  it('reopens consistently after SIGKILL at random points, keeping acknowledged state', async () => {
    const dataDir = await dirs.make()
    const seed = Date.now() % 1_000_000
    for (let round = 0; round < 5; round++) {
      const killAfter = 3 + Math.floor(Math.random() * 30)
      const ack = await runAndKill(dataDir, seed + round, killAfter)
      const s = await PeerStorage.open({ dataDir })
      try {
        const summary = `round ${round} (seed ${seed + round}, kill after ${killAfter} acks): last ack ${JSON.stringify(ack)}, ` +
          `reopened ${JSON.stringify(s.raftState)} ${JSON.stringify(s.applyState)}`
        expect(checkConsistency(s), summary).toEqual([])
        expect(ack, summary).toBeDefined()
        expect(s.raftState.hardState.term, summary).toBeGreaterThanOrEqual(ack!.term)
        expect(s.raftState.hardState.commit, summary).toBeGreaterThanOrEqual(ack!.commit)
        expect(s.appliedIndex, summary).toBeGreaterThanOrEqual(ack!.applied)
      } finally {
        await s.close()
      }
    }
  }, 60_000)
})
