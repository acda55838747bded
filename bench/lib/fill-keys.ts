// The bench's "with the same data" step: `count` more distinct keys (16 bytes, 128-byte
// values) written through the target's putter by 64 concurrent writers; returns how many
// were written (every put must succeed, retried by the putter across members).
import type { BenchTarget } from './target.js'

const WRITERS = 64
const ATTEMPT_MS = 2000

export async function fillKeys(t: BenchTarget, count: number): Promise<number> {
  const putter = t.putter(ATTEMPT_MS)
  const value = 'f'.repeat(128)
  let next = 0
  try {
    await Promise.all(Array.from({ length: WRITERS }, async () => {
      while (next < count) {
        const key = `fill${String(next++).padStart(12, '0')}`
        for (let attempt = 0; ; attempt++) {
          try {
            await putter.put(key, value)
            break
          } catch (e) {
            if (attempt >= 5) throw e
          }
        }
      }
    }))
  } finally {
    await putter.close()
  }
  return count
}
