import { describe, expect, it } from 'vitest'
import { parentChain, watchParent } from './parent-watch.js'

describe('parent watchdog', () => {
  it('follows the chain of parents from this process up, nearest first', () => {
    const chain = parentChain(2)
    expect(chain[0]).toBe(process.ppid)
    expect(chain.every((pid) => pid > 1)).toBe(true)
    expect(parentChain(1)).toEqual(chain.slice(0, 1))
  })

  it('reports a --parent-pid that is gone', async () => {
    const why = await new Promise<string>((resolve) => {
      // A pid far above pid_max's default is never alive.
      const stop = watchParent({ parentPid: 2 ** 30, intervalMs: 10, onParentGone: (w) => { stop(); resolve(w) } })
    })
    expect(why).toContain(String(2 ** 30))
  })
})
