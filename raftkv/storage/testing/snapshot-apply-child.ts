// Child process of snapshot.test.ts: receives a snapshot from files and applies it,
// optionally freezing at a chosen point so the parent can SIGKILL it exactly there.
// Usage: snapshot-apply-child.ts <dataDir> <srcDir> <blockAt>
//   srcDir holds snapshot.bin (an encoded eraftpb.Snapshot) and chunk-<n>.bin files.
//   blockAt -1: never; 0: right after the Applying marker is written; k > 0: after k chunks.
// Prints "blocked" when frozen, "done" when the snapshot is applied.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eraftpb } from '../../../proto/generated/protos.js'
import type { StorageEvent } from '../events.js'
import { PeerStorage } from '../peer-storage.js'
import { decodeSnapshotData } from '../snapshot-chunk.js'

const [dataDir, srcDir, blockAtArg] = process.argv.slice(2)
const blockAt = Number(blockAtArg)

function freeze(): void {
  process.stdout.write('blocked\n')
  // Block the thread (between two chunk writes) until the parent kills us.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
}

const onEvent = (e: StorageEvent): void => {
  if (e.type === 'snapshot-applying' && blockAt === 0) freeze()
  if (e.type === 'snapshot-apply-progress' && e.chunks === blockAt) freeze()
}

const snapshot = eraftpb.Snapshot.decode(readFileSync(join(srcDir!, 'snapshot.bin')))
// open() itself finishes an apply that a kill interrupted.
const s = await PeerStorage.open({ dataDir: dataDir!, onEvent })
const index = snapshot.metadata?.index ?? 0
if (s.appliedIndex < index) {
  const r = s.beginReceiveSnapshot(snapshot)
  for (let i = 0; i < decodeSnapshotData(snapshot.data).chunkCount; i++) await r.writeChunk(i, readFileSync(join(srcDir!, `chunk-${i}.bin`)))
  await r.finish()
  await s.saveReadyState({ hardState: { term: snapshot.metadata?.term ?? 0, vote: 0, commit: index }, entries: [], snapshot })
}
await s.close()
process.stdout.write('done\n')
