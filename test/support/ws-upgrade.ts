// The HTTP status a WebSocket upgrade gets: 101 when it opens, else the refusal's status.
import WebSocket from 'ws'

export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate() })
    ws.once('open', () => { resolve(101); ws.close() })
    ws.once('error', (err) => { if (!/Unexpected server response/.test(err.message)) reject(err) })
  })
}
