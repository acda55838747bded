// The snapshot service over fakes: what it reports for sends that cannot start, for a send
// under way (its size known from the descriptor at once), and for storage's events.
import { afterEach, describe, expect, it } from 'vitest'
import { MessageType, type Message } from '../raft/index.js'
import { encodeSnapshotData, type SnapshotReader } from '../storage/index.js'
import { SnapshotService } from './snapshot-service.js'
import { silentLog, until } from './testing/fakes.js'

const services: SnapshotService[] = []
afterEach(async () => {
  for (const s of services.splice(0)) await s.close()
})

const descriptor = {
  region: { id: 1, confVer: 1, version: 1, peers: [] }, dataSize: 123_456, kvCount: 10, chunkCount: 3, snapshotId: 'snap-1',
  files: [{ name: 'CURRENT', size: 16, crc32: 0 }, { name: '000009.sst', size: 123_440, crc32: 0 }],
}
const snapshotMessage = (data: Uint8Array): Message => ({
  msgType: MessageType.MsgSnapshot, from: 1, to: 2, term: 3, snapshot: { data, metadata: { index: 50, term: 3, confState: { nodes: [1, 2] } } },
})

function setup(reader: SnapshotReader | undefined) {
  const reports: [number, boolean][] = []
  const released: string[] = []
  const acquired = reader && { ...reader, release: async () => { released.push(reader.descriptor.snapshotId) } }
  const service = new SnapshotService({
    nodeId: 1, token: 'test-token-0123456789', log: silentLog(),
    storage: { appliedIndex: 0, acquireSnapshot: () => acquired, beginReceiveSnapshot: () => { throw new Error('not in this test') } },
    // Nothing listens on port 1: a send that starts fails at its dial.
    addrOf: (id) => (id === 2 ? '127.0.0.1:1' : undefined),
    step: () => {}, report: (peer, failed) => reports.push([peer, failed]), timeoutMs: 30_000,
  })
  services.push(service)
  return { service, reports, released }
}

describe('SnapshotService', () => {
  it('reports a send whose snapshot data does not decode, or is gone, as failed to raft', () => {
    const a = setup(undefined)
    a.service.send(snapshotMessage(new Uint8Array([0xff, 0xff])))
    expect(a.reports).toEqual([[2, true]])
    a.service.send(snapshotMessage(encodeSnapshotData(descriptor)))
    expect(a.reports).toEqual([[2, true], [2, true]])
    const st = a.service.stats()
    expect(st.failed).toBe(2)
    expect(st.transfers?.map((t) => t.state)).toEqual(['failed', 'failed'])
  })

  it('knows the size of a send from the descriptor when it starts, and releases the snapshot when it ends', async () => {
    const reader: SnapshotReader = {
      index: 50, term: 3, snapshot: {}, descriptor, dir: '/nonexistent', dbDir: '/nonexistent/db',
      chunks: async function* () { yield Buffer.alloc(1) },
      readChunk: async () => Buffer.alloc(1), release: async () => {},
    }
    const { service, reports, released } = setup(reader)
    service.send(snapshotMessage(encodeSnapshotData(descriptor)))
    const started = service.stats().transfers!
    expect(started).toHaveLength(1)
    expect(started[0]).toMatchObject({ peer: 2, direction: 'send', state: 'sending', bytesTotal: 123_456, chunksTotal: 3 })
    await until(() => reports.length > 0, 'the send to end', 30_000)
    expect(reports).toEqual([[2, true]])
    expect(released).toEqual(['snap-1'])
    expect(service.stats().transfers![0]).toMatchObject({ state: 'failed' })
  })

  it('shows generation and apply from storage events, and counts applied snapshots', () => {
    const { service } = setup(undefined)
    service.onStorageEvent({ type: 'snapshot-generating', index: 7, term: 2 })
    expect(service.stats().transfers![0]).toMatchObject({ state: 'generating', index: 7 })
    service.onStorageEvent({ type: 'snapshot-generated', index: 7, term: 2, snapshotId: 'g', dataSize: 900, kvCount: 9, chunkCount: 2, fileCount: 2, pauseMs: 2, checkMs: 1, listMs: 1, ms: 5 })
    expect(service.stats().transfers![0]).toMatchObject({ state: 'done', bytesTotal: 900, chunksTotal: 2 })
    service.onStorageEvent({ type: 'snapshot-applied', index: 9, term: 2, kvCount: 1, ms: 1 })
    expect(service.stats().applied).toBe(1)
  })
})
