// Backpressure on service replies: a client that does not read its answers stops being read.
import { describe, expect, it } from 'vitest'
import { ReplyFlow } from './reply-flow.js'
import { FakeConnection } from './testing/fakes.js'

describe('ReplyFlow', () => {
  it('pauses reading once the unread replies pass the high-water mark, resumes once they drain below the low one', () => {
    const conn = new FakeConnection()
    const flow = new ReplyFlow(conn, 1000, 200)
    flow.send(new Uint8Array(600))
    expect(conn.paused).toBe(false)
    flow.send(new Uint8Array(600))
    expect(conn.paused).toBe(true)
    expect(flow.isPaused).toBe(true)
    conn.flush()
    expect(conn.bufferedAmount).toBe(0)
    expect(conn.paused).toBe(false)
    expect(conn.sent).toHaveLength(2)
  })

  it('sends nothing on a closed connection', () => {
    const conn = new FakeConnection()
    conn.isOpen = false
    new ReplyFlow(conn).send(new Uint8Array(10))
    expect(conn.sent).toHaveLength(0)
  })
})
