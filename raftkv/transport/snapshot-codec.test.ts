import { describe, expect, it } from 'vitest'
import { snappb } from '../../proto/generated/protos.js'
import { chunkChecksum, chunkRequestLength, decodeRequest, encodeChunkRequest } from './snapshot-codec.js'

describe('snapshot chunk frames', () => {
  it('encodes a Chunk request by hand that decodes like protobufjs, large offsets and empty data included', () => {
    for (const [seq, offset, size] of [[0, 0, 0], [1, 127, 1], [300, 2 ** 33 + 5, 70_000], [2 ** 31, 2 ** 52, 3]] as const) {
      const data = Buffer.alloc(size, seq % 251)
      const crc32 = chunkChecksum(data)
      const bytes = encodeChunkRequest({ seq, offset, data, crc32 })
      const frame = decodeRequest(bytes)
      expect(frame.kind).toBe('chunk')
      if (frame.kind !== 'chunk') continue
      expect([frame.chunk.seq, Number(frame.chunk.offset), Buffer.from(frame.chunk.data).equals(data), frame.chunk.crc32]).toEqual([seq, offset, true, crc32])
      // protobufjs's own encoding of the same frame decodes to the same values.
      const theirs = snappb.SnapshotRequest.decode(snappb.SnapshotRequest.encode({ chunk: { seq, offset, data, crc32 } }).finish())
      expect([theirs.chunk!.seq, Number(theirs.chunk!.offset), theirs.chunk!.crc32]).toEqual([frame.chunk.seq, Number(frame.chunk.offset), frame.chunk.crc32])
    }
  })

  it('writes the same frame into a caller\'s buffer (as a view of it), and refuses one too small', () => {
    const data = Buffer.alloc(5000, 7)
    const c = { seq: 9, offset: 123_456, data, crc32: chunkChecksum(data) }
    const fresh = encodeChunkRequest(c)
    expect(chunkRequestLength(c)).toBe(fresh.length)
    const into = Buffer.alloc(fresh.length + 100, 0xee)
    const view = encodeChunkRequest(c, into)
    expect(view.buffer).toBe(into.buffer)
    expect(view.equals(fresh)).toBe(true)
    expect(into[fresh.length]).toBe(0xee)
    expect(() => encodeChunkRequest(c, Buffer.alloc(fresh.length - 1))).toThrow(RangeError)
  })
})
