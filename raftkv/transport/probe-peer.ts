// Whether anything still listens at a peer's address: one TCP connect, nothing sent. A
// killed process leaves no listener (the connect is refused at once); a stopped or busy
// one still has its socket, and the kernel accepts for it.
import net from 'node:net'

export type ProbeResult = 'listening' | 'refused' | 'unknown'

export function probePeer(addr: string, timeoutMs: number): Promise<ProbeResult> {
  const colon = addr.lastIndexOf(':')
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
  const port = Number(addr.slice(colon + 1))
  return new Promise((resolve) => {
    const sock = net.connect({ host, port })
    const done = (r: ProbeResult): void => {
      clearTimeout(timer)
      sock.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => done('unknown'), timeoutMs)
    sock.once('connect', () => done('listening'))
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'unknown'))
  })
}
