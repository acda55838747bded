// Child process of snapshot.test.ts: applies a received snapshot, or generates one,
// freezing at a chosen step so that the parent can SIGKILL it exactly there.
// Usage:
//   snapshot-apply-child.ts apply <dataDir> <srcDir> <blockAt>
//     srcDir holds snapshot.bin (an encoded eraftpb.Snapshot) and chunk-<n>.bin files;
//     blockAt: applying | prepared | old-moved | new-moved | reopened | never
//   snapshot-apply-child.ts generate <dataDir> <blockAt>
//     blockAt: closed | copied | never
// Prints "blocked" when frozen, "done" when finished.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eraftpb } from '../../../proto/generated/protos.js'
import type { StorageEvent } from '../events.js'
import { PeerStorage } from '../peer-storage.js'
import { decodeSnapshotData } from '../snapshot-descriptor.js'

const [mode, dataDir, ...rest] = process.argv.slice(2)
const blockAt = rest[rest.length - 1]

function freeze(): void {
  process.stdout.write('blocked\n')
  // Block the thread (in the middle of the step sequence) until the parent kills us.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
}

const onEvent = (e: StorageEvent): void => {
  if (e.type === 'snapshot-applying' && blockAt === 'applying') freeze()
  if ((e.type === 'snapshot-apply-step' || e.type === 'snapshot-generate-step') && e.step === blockAt) freeze()
}

const s = await PeerStorage.open({ dataDir: dataDir!, onEvent })
if (mode === 'apply') {
  const srcDir = rest[0]!
  const snapshot = eraftpb.Snapshot.decode(readFileSync(join(srcDir, 'snapshot.bin')))
  const index = snapshot.metadata?.index ?? 0
  if (s.appliedIndex < index) {
    const r = s.beginReceiveSnapshot(snapshot)
    for (let i = 0; i < decodeSnapshotData(snapshot.data).chunkCount; i++) await r.writeChunk(i, readFileSync(join(srcDir, `chunk-${i}.bin`)))
    await r.finish()
    await s.saveReadyState({ hardState: { term: snapshot.metadata?.term ?? 0, vote: 0, commit: index }, entries: [], snapshot })
  }
} else {
  try {
    s.snapshot()
  } catch {
    // ErrSnapshotTemporarilyUnavailable: generation wanted.
  }
  await s.waitSnapshotGeneration()
}
await s.close()
process.stdout.write('done\n')
