// Ports for the nodes: free ephemeral ones on 127.0.0.1, or a fixed range checked first
// so that a port in use is a clear PORT_IN_USE before any process starts.
import { createServer, type Server } from 'node:net'
import { ControlError } from '../control/errors.js'

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => resolve(s))
  })
}

async function closeAll(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
}

/** n distinct free ports, taken by binding port 0 and releasing them. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => listen(0)))
  const ports = servers.map((s) => {
    const a = s.address()
    if (!a || typeof a === 'string') throw new Error('no port')
    return a.port
  })
  await closeAll(servers)
  return ports
}

/** Throws PORT_IN_USE naming the first of `ports` something else holds. */
export async function checkPortsFree(ports: number[]): Promise<void> {
  const taken: Server[] = []
  try {
    for (const port of ports) {
      try {
        taken.push(await listen(port))
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        throw new ControlError('PORT_IN_USE', `port ${port} on 127.0.0.1 is not free (${code ?? String(e)})`)
      }
    }
  } finally {
    await closeAll(taken)
  }
}
