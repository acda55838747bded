// RaftKvNode's wiring: what storage says while it opens reaches the node's services.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PeerStorage } from '../storage/index.js'
import { TempDirs } from '../storage/testing/temp-dirs.js'
import { NODE_DEFAULTS } from './node-defaults.js'
import { RaftKvNode } from './node.js'
import { silentLog } from './testing/fakes.js'

const dirs = new TempDirs()
const nodes: RaftKvNode[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const n of nodes.splice(0)) await n.stop()
  await dirs.cleanup()
})

describe('RaftKvNode', () => {
  it('hears the storage events PeerStorage.open emits, before its services exist', async () => {
    const open = PeerStorage.open.bind(PeerStorage)
    // Events from inside open(), before open resolves (the relay holds them for the service).
    vi.spyOn(PeerStorage, 'open').mockImplementation(async (options) => {
      options.onEvent?.({ type: 'snapshot-applying', index: 40, term: 4, snapshotId: 'x', dataSize: 10, fileCount: 1 })
      options.onEvent?.({ type: 'snapshot-applied', index: 40, term: 4, kvCount: 3, ms: 1 })
      return open(options)
    })
    const node = new RaftKvNode({
      ...NODE_DEFAULTS, id: 1, peers: [{ id: 1, addr: '127.0.0.1:1' }], dataDir: await dirs.make('raftkv-node-'),
      listenHost: '127.0.0.1', listenPort: 0, token: 'test-token-0123456789',
    }, silentLog())
    nodes.push(node)
    await node.start()
    expect(node.status().snapshots?.applied).toBe(1)
  })
})
