import { createServer } from 'node:net'
import { expect, it } from 'vitest'
import { probePeer } from './probe-peer.js'
import { freePort } from './testing/helpers.js'

it('tells a listening address from a refusing one', async () => {
  const server = createServer((s) => s.destroy())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  expect(await probePeer(`127.0.0.1:${port}`, 2000)).toBe('listening')
  await new Promise<void>((r) => server.close(() => r()))
  expect(await probePeer(`127.0.0.1:${port}`, 2000)).toBe('refused')
  const unused = await freePort()
  expect(await probePeer(`127.0.0.1:${unused}`, 2000)).toBe('refused')
})
