import { describe, expect, it } from 'vitest'
import { FrameQueue } from './frame-queue.js'

describe('FrameQueue', () => {
  it('keeps FIFO order and byte counts', () => {
    const q = new FrameQueue()
    for (let i = 0; i < 200; i++) q.push(new Uint8Array(i + 1), 1, 0, 0)
    expect(q.length).toBe(200)
    expect(q.byteLength).toBe((200 * 201) / 2)
    for (let i = 0; i < 150; i++) expect(q.shift()!.bytes.length).toBe(i + 1)
    expect(q.length).toBe(50)
    expect(q.peek()!.bytes.length).toBe(151)
    expect(q.clear()).toEqual({ frames: 50, messages: 50 })
    expect(q.byteLength).toBe(0)
    expect(q.shift()).toBeUndefined()
  })

  it('never lets a frame be ready before the one ahead of it', () => {
    const q = new FrameQueue()
    q.push(new Uint8Array(1), 1, 1000, 300)
    q.push(new Uint8Array(1), 1, 1010, 0)
    q.push(new Uint8Array(1), 1, 1020, 500)
    expect([q.shift()!.readyAt, q.shift()!.readyAt, q.shift()!.readyAt]).toEqual([1300, 1300, 1520])
  })
})
