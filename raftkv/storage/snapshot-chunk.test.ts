import { describe, expect, it } from 'vitest'
import { raft_serverpb } from '../../proto/generated/protos.js'
import { decodeChunk, encodeChunk, type KvPair } from './snapshot-chunk.js'

const viaProtobufjs = (bytes: Uint8Array): Array<[string, string]> =>
  raft_serverpb.SnapshotChunk.decode(bytes).pairs.map((p) => [Buffer.from(p.key ?? []).toString('hex'), Buffer.from(p.value ?? []).toString('hex')])
const hex = (pairs: KvPair[]): Array<[string, string]> => pairs.map((p) => [p.key.toString('hex'), p.value.toString('hex')])

describe('snapshot chunk codec', () => {
  it('encodes what protobufjs decodes, and decodes what protobufjs encodes, for any key and value sizes', () => {
    const sizes = [0, 1, 127, 128, 16_383, 16_384, 200_000]
    const pairs: KvPair[] = []
    for (const ks of [0, 1, 130]) for (const vs of sizes) pairs.push({ key: Buffer.alloc(ks, ks + 1), value: Buffer.alloc(vs, vs % 251) })
    const ours = encodeChunk(pairs)
    expect(viaProtobufjs(ours)).toEqual(hex(pairs))
    expect(hex(decodeChunk(ours))).toEqual(hex(pairs))
    const theirs = raft_serverpb.SnapshotChunk.encode({ pairs }).finish()
    expect(hex(decodeChunk(theirs))).toEqual(hex(pairs))
    expect(decodeChunk(encodeChunk([]))).toEqual([])
  })

  it('decodes other valid encodings (fields reordered, missing, unknown) like protobufjs', () => {
    // Pair 1: value before key. Pair 2: no value field. Pair 3: an unknown varint field 7.
    const pair = (body: number[]): number[] => [0x0a, body.length, ...body]
    const bytes = Buffer.from([
      ...pair([0x12, 2, 0x76, 0x31, 0x0a, 2, 0x6b, 0x31]),
      ...pair([0x0a, 2, 0x6b, 0x32]),
      ...pair([0x0a, 2, 0x6b, 0x33, 0x38, 5, 0x12, 1, 0x76]),
    ])
    expect(hex(decodeChunk(bytes))).toEqual(viaProtobufjs(bytes))
    expect(hex(decodeChunk(bytes))).toEqual([['6b31', '7631'], ['6b32', ''], ['6b33', '76']])
  })

  it('refuses a truncated or garbled chunk as SnapshotCorrupted', () => {
    const good = encodeChunk([{ key: Buffer.from('k'), value: Buffer.alloc(300, 1) }])
    for (const bad of [good.subarray(0, good.length - 1), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), Buffer.from([0x0b])]) {
      expect(() => decodeChunk(bad)).toThrow(expect.objectContaining({ code: 'SnapshotCorrupted' }))
    }
  })
})
