import { describe, expect, it } from 'vitest'
import { raft_serverpb } from '../../proto/generated/protos.js'
import { BadFrameError } from './errors.js'
import { decodeRaftFrame, encodeRaftFrames } from './raft-codec.js'
import { msg } from './testing/helpers.js'

describe('raft frame codec', () => {
  it('encodes one call to one peer as one RaftBatch that protobufjs reads back', () => {
    const { frames, tooLarge } = encodeRaftFrames(1, 1, 2, [msg(1, 2, 5, 10), msg(1, 2, 6)], 1 << 20)
    expect(tooLarge).toEqual([])
    expect(frames).toHaveLength(1)
    expect(frames[0]!.count).toBe(2)
    const batch = raft_serverpb.RaftBatch.decode(frames[0]!.bytes)
    expect(batch.msgs.map((m) => [m.regionId, m.fromPeer, m.toPeer, m.message?.index])).toEqual([[1, 1, 2, 5], [1, 1, 2, 6]])
    const decoded = decodeRaftFrame(frames[0]!.bytes)
    expect(decoded[0]!.message.entries[0]!.data).toEqual(new Uint8Array(10).fill(7))
    expect(decoded[1]!.message.index).toBe(6)
  })

  it('splits at the frame limit, in order, and sets aside a message that alone is too large', () => {
    const msgs = [msg(1, 2, 1, 300), msg(1, 2, 2, 300), msg(1, 2, 3, 5000), msg(1, 2, 4, 300)]
    const { frames, tooLarge } = encodeRaftFrames(1, 1, 2, msgs, 700)
    expect(tooLarge.map((m) => m.index)).toEqual([3])
    expect(frames.map((f) => f.count)).toEqual([2, 1])
    expect(frames.every((f) => f.bytes.length <= 700)).toBe(true)
    expect(frames.flatMap((f) => decodeRaftFrame(f.bytes).map((m) => m.message.index))).toEqual([1, 2, 4])
  })

  it('writes multi-byte lengths correctly', () => {
    const { frames } = encodeRaftFrames(1, 1, 2, [msg(1, 2, 1, 20_000)], 1 << 20)
    expect(decodeRaftFrame(frames[0]!.bytes)[0]!.message.entries[0]!.data!.length).toBe(20_000)
  })

  it('refuses bytes that are not a RaftBatch of messages with BadFrameError', () => {
    expect(() => decodeRaftFrame(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x07]))).toThrow(BadFrameError)
    expect(() => decodeRaftFrame(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(BadFrameError) // truncated
    // A RaftMessage without its eraftpb.Message.
    const hollow = raft_serverpb.RaftBatch.encode({ msgs: [{ regionId: 1, fromPeer: 1, toPeer: 2 }] }).finish()
    try {
      decodeRaftFrame(hollow)
      expect.unreachable()
    } catch (err) {
      expect((err as BadFrameError).code).toBe('ErrBadFrame')
    }
    expect(decodeRaftFrame(new Uint8Array(0))).toEqual([])
  })
})
