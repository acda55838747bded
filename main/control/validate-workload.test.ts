import { describe, expect, it } from 'vitest'
import { validateWorkload } from './validate.js'

const good = { clients: 8, durationMs: 30_000, keys: 12, getRatio: 0.5 }

describe('validateWorkload', () => {
  it('keeps a good spec and its nemesis steps', () => {
    expect(validateWorkload(good)).toEqual(good)
    const nemesis = [{ kind: 'kill', everyMs: 5000, forMs: 1500 }, { kind: 'isolate-leader', everyMs: 7000, forMs: 2000 }]
    expect(validateWorkload({ ...good, nemesis })).toEqual({ ...good, nemesis })
  })

  it('refuses bad numbers, kinds and shapes with BAD_ARGUMENT', () => {
    const bad: unknown[] = [
      null, 'spec', { ...good, clients: 0 }, { ...good, clients: 2.5 }, { ...good, durationMs: -1 }, { ...good, keys: Number.NaN },
      { ...good, getRatio: 1.5 }, { ...good, getRatio: Number.NaN }, { ...good, getRatio: '0.5' }, { ...good, nemesis: {} },
      { ...good, nemesis: [{ kind: 'meteor', everyMs: 1000, forMs: 10 }] }, { ...good, nemesis: [{ kind: 'kill', everyMs: 0, forMs: 10 }] },
      { ...good, nemesis: [{ kind: 'kill', everyMs: 1000, forMs: -5 }] }, { ...good, nemesis: [{ kind: 'kill', everyMs: 1000, forMs: 1000 }] },
      { ...good, nemesis: [null] }, { ...good, extra: 1 },
    ]
    for (const spec of bad) expect(() => validateWorkload(spec), JSON.stringify(spec)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
  })
})
