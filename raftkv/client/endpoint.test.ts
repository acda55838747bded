import { describe, expect, it } from 'vitest'
import { parseEndpoint, parseEndpointList } from './endpoint.js'
import { EndpointFormatError } from './errors.js'

describe('endpoints', () => {
  it('accepts host:port lists, IPv6 in brackets, and drops duplicates', () => {
    expect(parseEndpointList(' 127.0.0.1:7001, node-2.example:7002,[::1]:7003,127.0.0.1:7001 ')).toEqual(['127.0.0.1:7001', 'node-2.example:7002', '[::1]:7003'])
  })

  it('refuses what is not host:port, with a typed error', () => {
    for (const bad of ['localhost', ':7001', 'h:0', 'h:70000', 'ws://h:1', 'a b:1', '']) {
      expect(() => parseEndpointList(bad)).toThrow(EndpointFormatError)
    }
    expect(() => parseEndpoint('h:x')).toThrow(/bad endpoint "h:x"/)
  })
})
