import { describe, expect, it } from 'vitest'
import { bearer, checkBearer, parseNodeId } from './auth.js'

describe('auth', () => {
  it('accepts exactly "Bearer <token>"', () => {
    expect(checkBearer(bearer('s3cret'), 's3cret')).toBe('ok')
    expect(checkBearer(undefined, 's3cret')).toBe('missing')
    expect(checkBearer('', 's3cret')).toBe('missing')
    expect(checkBearer('Bearer s3cre', 's3cret')).toBe('wrong')
    expect(checkBearer('bearer s3cret', 's3cret')).toBe('wrong')
    expect(checkBearer('s3cret', 's3cret')).toBe('wrong')
  })

  it('parses node ids strictly', () => {
    expect(parseNodeId('7')).toBe(7)
    for (const bad of [undefined, '', '0', '-1', '07', '1.5', ' 1', '99999999999999999', ['1']]) {
      expect(parseNodeId(bad)).toBeUndefined()
    }
  })
})
