import { describe, expect, it } from 'vitest'
import { Waker } from './waker.js'

describe('Waker', () => {
  it('until() re-checks its condition on each wake', async () => {
    const w = new Waker()
    let n = 0
    const done = w.until(() => n === 2)
    n = 1
    w.wake()
    n = 2
    w.wake()
    await expect(done).resolves.toBeUndefined()
  })

  it('a race outlives wakes and rejects with the first failure', async () => {
    const w = new Waker()
    const never = new Promise<number>(() => {})
    const raced = w.race(never)
    w.wake()
    expect(w.fail(new Error('first'))).toBe(true)
    expect(w.fail(new Error('second'))).toBe(false)
    await expect(raced).rejects.toThrow('first')
    await expect(w.wait()).rejects.toThrow('first')
    await expect(w.sleep(1)).rejects.toThrow('first')
  })

  it('a race takes the promise outcome when it settles first', async () => {
    const w = new Waker()
    await expect(w.race(Promise.resolve(7))).resolves.toBe(7)
    await expect(w.race(Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(w.sleep(1)).resolves.toBeUndefined()
  })
})
