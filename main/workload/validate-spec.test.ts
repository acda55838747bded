import { describe, expect, it } from 'vitest'
import { validateWorkloadSpec } from './validate-spec.js'

const good = { clients: 8, durationMs: 30_000, keys: 12, getRatio: 0.5 }

describe('validateWorkloadSpec', () => {
  it('keeps a good spec and its nemesis steps', () => {
    expect(validateWorkloadSpec(good)).toEqual(good)
    const nemesis = [{ kind: 'kill', everyMs: 5000, forMs: 1500 }, { kind: 'isolate-leader', everyMs: 7000, forMs: 2000 }]
    expect(validateWorkloadSpec({ ...good, nemesis, extra: 1 })).toEqual({ ...good, nemesis })
  })

  it('refuses bad numbers, kinds and shapes with BAD_ARGUMENT', () => {
    const bad: unknown[] = [
      null, 'spec', { ...good, clients: 0 }, { ...good, clients: 2.5 }, { ...good, durationMs: -1 }, { ...good, keys: Number.NaN },
      { ...good, getRatio: 1.5 }, { ...good, getRatio: Number.NaN }, { ...good, getRatio: '0.5' }, { ...good, nemesis: {} },
      { ...good, nemesis: [{ kind: 'meteor', everyMs: 1000, forMs: 10 }] }, { ...good, nemesis: [{ kind: 'kill', everyMs: 0, forMs: 10 }] },
      { ...good, nemesis: [{ kind: 'kill', everyMs: 1000, forMs: -5 }] }, { ...good, nemesis: [null] },
    ]
    for (const spec of bad) expect(() => validateWorkloadSpec(spec), JSON.stringify(spec)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }))
  })
})
