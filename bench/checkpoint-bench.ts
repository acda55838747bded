// bench:checkpoint — the building blocks of a file-level snapshot with the stock RocksDB
// binding, which has no Checkpoint, SST ingest or column-family export (issue 13's
// 150 MB/s catch-up). One engine with the node's options, BENCH_CHECKPOINT_KEYS x 1 KiB
// random values (default 1M = 1 GiB), then for 0, 4 and 12 MiB written just before:
//   pause    the node's own snapshot pause (copyWhileClosed): close the engine, hard-link
//            its *.sst into a new directory, copy the other files (MANIFEST, CURRENT,
//            OPTIONS, WAL), reopen: how long writes stop;
//   copy     read every file of that copy and write it to a third directory, fsync each:
//            the bytes a follower would receive, at disk speed (no network);
//   stable   live writes, a reopen and compactions afterwards leave the copy's files as
//            they were (SHA-1 of each);
//   opens    the received copy opens as a database and holds every key.
// The design it measured is built now (docs/file-snapshots.md); the rest of the node's
// snapshot path is timed by bench:scale. Writes bench/results/checkpoint.json.
import { createHash, randomBytes } from 'node:crypto'
import { fdatasyncSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { Engine, WriteBatch } from '../raftkv/storage/engine.js'
import { DB_DIR } from '../raftkv/storage/snapshot-files.js'
import { copyWhileClosed } from '../raftkv/storage/snapshot-generator.js'
import { sleep } from '../test/harness/cluster.js'

const keys = Number(process.env.BENCH_CHECKPOINT_KEYS ?? 1_000_000)
const writeSteps = [0, 4, 12] // MiB written just before the pause (the memtables then hold what RocksDB has not flushed)
const root = join(tmpdir(), `raftkv-checkpoint-${process.pid}`)
const dbDir = join(root, 'db')

const keyOf = (i: number): Buffer => { const k = Buffer.alloc(16); k.writeUInt32BE(i, 12); return k }

/** Writes `count` random 1 KiB values over keys from `from` (stepping by `step`), unsynced. */
function writeRandom(e: Engine, count: number, from = 0, step = 1): void {
  for (let i = 0; i < count; i += 1000) {
    const v = randomBytes(1000 * 1024)
    const b = new WriteBatch()
    for (let j = 0; j < 1000 && i + j < count; j++) b.put(keyOf(((from + (i + j) * step) % keys)), v.subarray(j * 1024, (j + 1) * 1024))
    e.write(b, { sync: false })
  }
}

const sizeOf = (dir: string): number => readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0)
const sha1 = (file: string): string => createHash('sha1').update(readFileSync(file)).digest('hex')

/** The node's pause into `<to>/db` (DB_DIR); the phases' times and how many files were linked and copied. */
async function checkpoint(e: Engine, to: string): Promise<{ dir: string; closeMs: number; linkMs: number; reopenMs: number; linked: number; copied: number }> {
  const p = await copyWhileClosed(e, to)
  if (p.copyError) throw p.copyError
  const dir = join(to, DB_DIR)
  const files = readdirSync(dir)
  const linked = files.filter((f) => f.endsWith('.sst')).length
  return { dir, closeMs: p.closeMs, linkMs: p.copyMs, reopenMs: p.reopenMs, linked, copied: files.length - linked }
}

/** Reads each file of `from` and writes it to `to`, fsyncing each: bytes and seconds. */
function copyDurable(from: string, to: string): { bytes: number; seconds: number } {
  mkdirSync(to)
  const t = performance.now()
  const buf = Buffer.allocUnsafe(1 << 20)
  let bytes = 0
  for (const f of readdirSync(from)) {
    const src = openSync(join(from, f), 'r')
    const dst = openSync(join(to, f), 'w')
    try {
      for (let n; (n = readSync(src, buf, 0, buf.length, null)) > 0;) { writeSync(dst, buf, 0, n); bytes += n }
      fdatasyncSync(dst)
    } finally { closeSync(src); closeSync(dst) }
  }
  return { bytes, seconds: (performance.now() - t) / 1000 }
}

async function countKeys(dir: string): Promise<{ keys: number; openMs: number }> {
  const t = performance.now()
  const e = await Engine.open(dir)
  const openMs = performance.now() - t
  const it = e.iterate(Buffer.alloc(0), Buffer.from([0xff, 0xff]))
  let n = 0
  for (let rows; (rows = await it.next(1000)).length > 0;) n += rows.length
  await it.close()
  await e.close()
  return { keys: n, openMs }
}

mkdirSync(root, { recursive: true })
try {
  let engine = await Engine.open(dbDir)
  const tb = performance.now()
  writeRandom(engine, keys)
  console.log(`wrote ${keys} x 1 KiB in ${((performance.now() - tb) / 1000).toFixed(1)} s`)
  const steps = []
  for (const walMb of writeSteps) {
    await sleep(3000) // let flushes and compactions of the previous step settle
    writeRandom(engine, walMb * 1024, walMb * 7919, 13)
    const memtablesMiB = engine.memory().memtablesBytes / 2 ** 20
    const cp = await checkpoint(engine, join(root, `snap-${walMb}`))
    const snap = cp.dir
    const snapshotMiB = sizeOf(snap) / 2 ** 20
    const recv = copyDurable(snap, join(root, `recv-${walMb}`))
    const sums = new Map(readdirSync(snap).map((f) => [f, sha1(join(snap, f))]))
    writeRandom(engine, 200 * 1024, walMb * 104_729, 7)
    await engine.close()
    engine = await Engine.open(dbDir)
    await sleep(3000)
    const changed = [...sums].filter(([f, s]) => sha1(join(snap, f)) !== s).length
    const opened = await countKeys(join(root, `recv-${walMb}`))
    const step = {
      writtenBeforeMiB: walMb, memtablesMiB: +memtablesMiB.toFixed(1),
      pauseMs: Math.round(cp.closeMs + cp.linkMs + cp.reopenMs),
      closeMs: Math.round(cp.closeMs), linkMs: Math.round(cp.linkMs), reopenMs: Math.round(cp.reopenMs),
      files: { linked: cp.linked, copied: cp.copied }, snapshotMiB: Math.round(snapshotMiB),
      copyMBps: Math.round(recv.bytes / 1e6 / recv.seconds), copySeconds: +recv.seconds.toFixed(2),
      filesChangedAfterLiveWrites: changed, receivedOpensMs: Math.round(opened.openMs), receivedKeys: opened.keys,
    }
    steps.push(step)
    console.log(`${walMb} MiB written before (memtables ${step.memtablesMiB} MiB): pause ${step.pauseMs} ms (close ${step.closeMs}, link ${cp.linked} + copy ${cp.copied} files ${step.linkMs}, reopen ${step.reopenMs}); ` +
      `${step.snapshotMiB} MiB copied durably at ${step.copyMBps} MB/s; ${changed} of ${sums.size} files changed later; ` +
      `the copy opens in ${step.receivedOpensMs} ms with ${opened.keys} keys (expected ${keys})`)
    if (opened.keys !== keys || changed !== 0) process.exitCode = 1
    rmSync(join(root, `snap-${walMb}`), { recursive: true, force: true })
    rmSync(join(root, `recv-${walMb}`), { recursive: true, force: true })
  }
  await engine.close()
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'checkpoint.json')
  writeFileSync(out, JSON.stringify({ bench: 'checkpoint', when: new Date().toISOString(), node: process.version, keys, valueBytes: 1024, steps }, null, 2) + '\n')
  console.log(`wrote ${out}`)
} finally {
  rmSync(root, { recursive: true, force: true })
}
