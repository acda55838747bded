import { describe, expect, it } from 'vitest'
import { ControlError } from './errors.js'
import { CONTROL_METHODS } from './methods.js'
import { INVALID_PARAMS, VALID_PARAMS } from './testing/sample-params.js'
import { validateParams } from './validate.js'

function refusal(fn: () => unknown): ControlError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ControlError) return err
    throw err
  }
  throw new Error('expected a ControlError')
}

describe('validateParams', () => {
  it.each(CONTROL_METHODS.map((m) => [m]))('accepts valid params of %s and returns an equal copy', (method) => {
    const raw = VALID_PARAMS[method]
    const valid = validateParams(method, raw)
    expect(valid).toEqual(raw)
    if (raw !== undefined) expect(valid).not.toBe(raw)
  })

  it.each(INVALID_PARAMS)('refuses %s(%j) naming %s', (method, raw, field) => {
    const err = refusal(() => validateParams(method, raw))
    expect(err.code).toBe('BAD_ARGUMENT')
    expect(err.message.startsWith(`${method}`)).toBe(true)
    expect(err.message).toContain(field)
  })

  it('fills no default in: absent optional params come out empty', () => {
    expect(validateParams('launch', undefined)).toEqual({})
    expect(validateParams('logs', undefined)).toEqual({})
    expect(validateParams('heal', {})).toBeUndefined()
  })

  it('accepts base64 keys and values when asked', () => {
    expect(validateParams('put', { key: 'AAE=', value: '/w==', encoding: 'base64' })).toEqual({ key: 'AAE=', value: '/w==', encoding: 'base64' })
  })

  it('refuses objects that are not plain (class instances, prototype tricks)', () => {
    expect(refusal(() => validateParams('kill', new Date())).code).toBe('BAD_ARGUMENT')
    const sneaky = JSON.parse('{"id": 1, "__proto__": {"id": 2}}') as unknown
    expect(refusal(() => validateParams('kill', sneaky)).message).toContain('__proto__')
  })
})
