import { spawn } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { crc32 } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { eraftpb } from '../../proto/generated/protos.js'
import { ErrSnapshotTemporarilyUnavailable, type Entry, type Snapshot } from '../raft/index.js'
import { allRaftLogRange } from './keys.js'
import { PeerState } from './local-state.js'
import { PeerStorage, type KvEntry, type PeerStorageOptions } from './peer-storage.js'
import { decodeChunk, decodeSnapshotData, encodeChunk, encodeSnapshotData } from './snapshot-chunk.js'
import { TempDirs } from './testing/temp-dirs.js'

const dirs = new TempDirs()
const opened: PeerStorage[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close()
  await dirs.cleanup()
})

const peers = [{ id: 1, addr: '127.0.0.1:7001' }, { id: 2, addr: '127.0.0.1:7002' }, { id: 3, addr: '127.0.0.1:7003' }]
const CHUNK = 4096

async function open(dataDir: string, extra: Partial<PeerStorageOptions> = {}): Promise<PeerStorage> {
  const s = await PeerStorage.open({ dataDir, initialPeers: peers, snapshotChunkBytes: CHUNK, ...extra })
  opened.push(s)
  return s
}

async function close(s: PeerStorage): Promise<void> {
  opened.splice(opened.indexOf(s), 1)
  await s.close()
}

const key = (i: number): Buffer => Buffer.from(`key-${String(i).padStart(6, '0')}`)
const value = (i: number, tag: string): Buffer => Buffer.from(`${tag}-${i}-`.padEnd(120, 'x'))
const ents = (from: number, to: number, term: number): Entry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ index: from + i, term, data: Buffer.from(`e${from + i}`) }))

/** A node whose log is 1..entries (term `term`), all applied, holding `keys` pairs tagged `tag`. */
async function nodeWithData(dataDir: string, opts: { entries: number; term: number; keys: number; tag: string }): Promise<PeerStorage> {
  const s = await open(dataDir)
  await s.saveReadyState({ hardState: { term: opts.term, vote: 1, commit: opts.entries }, entries: ents(1, opts.entries, opts.term) })
  const batch = s.newApplyBatch()
  for (let i = 0; i < opts.keys; i++) batch.put(key(i), value(i, opts.tag))
  s.commitApply(batch, opts.entries)
  return s
}

async function readySnapshot(s: PeerStorage): Promise<Snapshot> {
  expect(() => s.snapshot()).toThrow(ErrSnapshotTemporarilyUnavailable)
  await s.waitSnapshotGeneration()
  return s.snapshot()
}

async function allChunks(s: PeerStorage, snap: Snapshot): Promise<Buffer[]> {
  const reader = s.acquireSnapshot(decodeSnapshotData(snap.data).snapshotId)!
  const chunks: Buffer[] = []
  for await (const c of reader.chunks()) chunks.push(c)
  await reader.release()
  return chunks
}

async function transfer(from: PeerStorage, snap: Snapshot, to: PeerStorage): Promise<void> {
  const r = to.beginReceiveSnapshot(snap)
  const chunks = await allChunks(from, snap)
  for (let i = 0; i < chunks.length; i++) await r.writeChunk(i, chunks[i]!)
  await r.finish()
}

const pairsOf = (s: PeerStorage): string[] => s.scan(Buffer.alloc(0), Buffer.alloc(0)).map((kv: KvEntry) => `${kv.key}=${kv.value}`)
const snapEntries = async (dataDir: string): Promise<string[]> => readdir(join(dataDir, 'snap'))

describe('snapshot generation', () => {
  it('builds the applied state in ~chunk-sized chunks, with metadata and checksum', async () => {
    const s = await nodeWithData(await dirs.make(), { entries: 20, term: 3, keys: 500, tag: 'a' })
    const snap = await readySnapshot(s)
    expect(snap.metadata).toEqual({ index: 20, term: 3, confState: { nodes: [1, 2, 3] } })
    const d = decodeSnapshotData(snap.data)
    expect(d.region).toEqual(s.regionState.region)
    expect(d.kvCount).toBe(500)
    const chunks = await allChunks(s, snap)
    expect(chunks.length).toBe(d.chunkCount)
    expect(chunks.length).toBeGreaterThan(10)
    for (const c of chunks.slice(0, -1)) expect(c.byteLength).toBeGreaterThanOrEqual(CHUNK * 0.9)
    for (const c of chunks) expect(c.byteLength).toBeLessThan(CHUNK + 200)
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(d.dataSize)
    expect(chunks.reduce((sum, c) => crc32(c, sum), 0)).toBe(d.checksum)
    const pairs = chunks.flatMap((c) => decodeChunk(c))
    expect(pairs.map((p) => `${p.key}=${p.value}`)).toEqual(pairsOf(s))
  })

  it('is a point-in-time view at the applied index: later applies do not leak in', async () => {
    const s = await nodeWithData(await dirs.make(), { entries: 10, term: 2, keys: 300, tag: 'old' })
    const before = pairsOf(s)
    expect(() => s.snapshot()).toThrow(ErrSnapshotTemporarilyUnavailable)
    // Same tick as the generation start: overwrite, delete and add keys.
    await s.saveReadyState({ hardState: { term: 2, vote: 1, commit: 11 }, entries: ents(11, 11, 2) })
    const batch = s.newApplyBatch().delete(key(0)).put(key(1), Buffer.from('new')).put(Buffer.from('zzz'), Buffer.from('new'))
    s.commitApply(batch, 11)
    await s.waitSnapshotGeneration()
    const snap = s.snapshot()
    expect(snap.metadata?.index).toBe(10)
    const pairs = (await allChunks(s, snap)).flatMap((c) => decodeChunk(c))
    expect(pairs.map((p) => `${p.key}=${p.value}`)).toEqual(before)
  })

  it('lets the event loop run between chunks while generating', async () => {
    const s = await nodeWithData(await dirs.make(), { entries: 5, term: 1, keys: 2000, tag: 'a' })
    expect(() => s.snapshot()).toThrow(ErrSnapshotTemporarilyUnavailable)
    let turns = 0
    while (s.isGeneratingSnapshot) {
      turns++
      await new Promise((resolve) => setImmediate(resolve))
    }
    const d = decodeSnapshotData(s.snapshot().data)
    expect(d.chunkCount).toBeGreaterThan(50)
    expect(turns).toBeGreaterThanOrEqual(d.chunkCount)
  })

  it('reuses a snapshot until the log is truncated past it, and keeps files a sender holds', async () => {
    const dir = await dirs.make()
    const s = await nodeWithData(dir, { entries: 10, term: 1, keys: 50, tag: 'a' })
    const first = await readySnapshot(s)
    expect(s.snapshot()).toBe(first)
    const id = decodeSnapshotData(first.data).snapshotId
    const reader = s.acquireSnapshot(id)!
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 20 }, entries: ents(11, 20, 1) })
    s.commitApply(s.newApplyBatch().compactLog(15, 1), 20)
    const second = await readySnapshot(s)
    expect(second.metadata?.index).toBe(20)
    expect(s.acquireSnapshot(id)).toBeUndefined() // retired: no new senders
    expect((await reader.readChunk(0)).byteLength).toBeGreaterThan(0) // but the holder still reads it
    await reader.release()
    expect((await snapEntries(dir)).filter((n) => n.includes(id))).toEqual([])
  })
})

describe('snapshot receive and apply', () => {
  async function pair(): Promise<{ src: PeerStorage; dst: PeerStorage; dstDir: string; snap: Snapshot }> {
    const src = await nodeWithData(await dirs.make(), { entries: 40, term: 4, keys: 400, tag: 'src' })
    const dstDir = await dirs.make()
    // The receiver has an older, diverging history: its own data and a longer stale log.
    const dst = await open(dstDir)
    await dst.saveReadyState({ hardState: { term: 2, vote: 2, commit: 5 }, entries: ents(1, 50, 2) })
    const batch = dst.newApplyBatch()
    for (let i = 0; i < 700; i += 3) batch.put(key(i), value(i, 'dst'))
    dst.commitApply(batch.put(Buffer.from('only-on-dst'), Buffer.from('x')), 5)
    const snap = await readySnapshot(src)
    return { src, dst, dstDir, snap }
  }

  it('replaces data, log and states atomically with the snapshot, and keeps them over a restart', async () => {
    const { src, dst, dstDir, snap } = await pair()
    await transfer(src, snap, dst)
    expect(await snapEntries(dstDir)).toEqual(['recv-40-4'])
    await dst.saveReadyState({ hardState: { term: 4, vote: 0, commit: 40 }, entries: [{ index: 41, term: 4 }], snapshot: snap })
    const check = (s: PeerStorage): void => {
      expect(s.applyState).toEqual({ appliedIndex: 40, truncatedIndex: 40, truncatedTerm: 4 })
      expect(s.raftState).toEqual({ hardState: { term: 4, vote: 0, commit: 40 }, lastIndex: 41, lastTerm: 4 })
      expect(s.regionState).toEqual({ state: PeerState.Normal, region: src.regionState.region })
      expect([s.firstIndex(), s.term(40), s.term(41)]).toEqual([41, 4, 4])
      expect(pairsOf(s)).toEqual(pairsOf(src))
      const r = allRaftLogRange(1)
      expect(s.engine.scan(r.start, r.end)).toHaveLength(1) // only entry 41: the stale log is gone
    }
    check(dst)
    expect(await snapEntries(dstDir)).toEqual([])
    await close(dst)
    check(await open(dstDir))
  })

  it('snapshots and applies an empty state machine', async () => {
    const src = await nodeWithData(await dirs.make(), { entries: 8, term: 2, keys: 0, tag: 'none' })
    const snap = await readySnapshot(src)
    expect(decodeSnapshotData(snap.data)).toMatchObject({ kvCount: 0, chunkCount: 0, dataSize: 0, checksum: 0 })
    const dst = await nodeWithData(await dirs.make(), { entries: 3, term: 1, keys: 10, tag: 'dst' })
    await transfer(src, snap, dst)
    await dst.saveReadyState({ hardState: { term: 2, commit: 8 }, entries: [], snapshot: snap })
    expect(pairsOf(dst)).toEqual([])
    expect(dst.applyState).toEqual({ appliedIndex: 8, truncatedIndex: 8, truncatedTerm: 2 })
  })

  it('refuses reads while the data is being replaced', async () => {
    const { src, dst, snap } = await pair()
    await transfer(src, snap, dst)
    const readErrors: unknown[] = []
    const applying = dst.saveReadyState({ hardState: { term: 4, commit: 40 }, entries: [], snapshot: snap })
    // Try a read on every turn of the event loop until the apply is over.
    let done = false
    void applying.finally(() => (done = true))
    while (!done) {
      if (dst.isApplyingSnapshot) {
        try {
          dst.get(key(1))
          readErrors.push('read succeeded')
        } catch (e) {
          readErrors.push(e)
        }
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    await applying
    expect(readErrors.length).toBeGreaterThan(0)
    for (const e of readErrors) expect(e).toMatchObject({ code: 'SnapshotApplying' })
    expect(dst.get(key(1))).toEqual(value(1, 'src'))
  })

  it('refuses a snapshot that was not received, leaving the old state', async () => {
    const { dst, snap } = await pair()
    const before = { raft: dst.raftState, apply: dst.applyState, data: pairsOf(dst) }
    await expect(dst.saveReadyState({ hardState: { term: 4, commit: 40 }, entries: [], snapshot: snap }))
      .rejects.toMatchObject({ code: 'SnapshotMissing' })
    expect({ raft: dst.raftState, apply: dst.applyState, data: pairsOf(dst) }).toEqual(before)
  })

  it('rejects bad input from the wire and leaves nothing behind', async () => {
    const { src, dst, dstDir, snap } = await pair()
    const chunks = await allChunks(src, snap)
    const d = decodeSnapshotData(snap.data)

    // A snapshot of another region.
    const otherRegion: Snapshot = { ...snap, data: encodeSnapshotData({ ...d, region: { ...d.region, id: 7 } }) }
    expect(() => dst.beginReceiveSnapshot(otherRegion)).toThrow(expect.objectContaining({ code: 'SnapshotCorrupted' }))

    // A chunk that does not decode.
    let r = dst.beginReceiveSnapshot(snap)
    await r.writeChunk(0, chunks[0]!)
    await expect(r.writeChunk(1, Buffer.from([0x0a, 0xff, 0xff, 0xff]))).rejects.toMatchObject({ code: 'SnapshotCorrupted' })
    await expect(r.writeChunk(1, chunks[1]!)).rejects.toMatchObject({ code: 'SnapshotReceiveState' })
    expect(await snapEntries(dstDir)).toEqual([])

    // A chunk out of order is refused without failing the transfer.
    r = dst.beginReceiveSnapshot(snap)
    await expect(r.writeChunk(1, chunks[1]!)).rejects.toMatchObject({ code: 'SnapshotReceiveState' })
    await r.abort()
    expect(await snapEntries(dstDir)).toEqual([])

    // A chunk altered in flight (it still decodes): the checksum catches it.
    r = dst.beginReceiveSnapshot(snap)
    for (let i = 0; i < chunks.length; i++) {
      let c = chunks[i]!
      if (i === 2) {
        const pairs = decodeChunk(c)
        pairs[0] = { key: pairs[0]!.key, value: Buffer.from(pairs[0]!.value.toString().replace('src', 'bad')) }
        c = encodeChunk(pairs)
      }
      await r.writeChunk(i, c)
    }
    await expect(r.finish()).rejects.toMatchObject({ code: 'SnapshotCorrupted' })
    expect(await snapEntries(dstDir)).toEqual([])

    // Keys out of order inside the stream.
    r = dst.beginReceiveSnapshot(snap)
    await r.writeChunk(0, chunks[1]!)
    await expect(r.writeChunk(1, chunks[0]!)).rejects.toMatchObject({ code: 'SnapshotCorrupted' })

    // An incomplete transfer.
    r = dst.beginReceiveSnapshot(snap)
    await r.writeChunk(0, chunks[0]!)
    await expect(r.finish()).rejects.toMatchObject({ code: 'SnapshotCorrupted' })
    expect(await snapEntries(dstDir)).toEqual([])
    expect(pairsOf(dst).some((p) => p.startsWith('only-on-dst'))).toBe(true)
  })

  it('drops temp and unneeded received snapshots at open', async () => {
    const { src, dst, dstDir, snap } = await pair()
    await transfer(src, snap, dst)
    const r = dst.beginReceiveSnapshot(snap)
    await r.writeChunk(0, (await allChunks(src, snap))[0]!) // a half-received one
    await close(dst)
    expect((await snapEntries(dstDir)).sort()).toEqual(['recv-40-4', expect.stringMatching(/^tmp-/)])
    await open(dstDir)
    expect(await snapEntries(dstDir)).toEqual([])
  })
})

describe('snapshot apply crash safety', () => {
  const child = join(import.meta.dirname, 'testing', 'snapshot-apply-child.ts')

  /** Runs the child; resolves 'killed' after SIGKILL at its block point, or 'done'. */
  function runChild(dataDir: string, srcDir: string, blockAt: number): Promise<'killed' | 'done'> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, dataDir, srcDir, String(blockAt)], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      let outcome: 'killed' | 'done' | undefined
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      createInterface({ input: p.stdout }).on('line', (line) => {
        if (line === 'blocked') {
          outcome = 'killed'
          p.kill('SIGKILL')
        } else if (line === 'done') outcome = 'done'
      })
      p.on('exit', (code, signal) => {
        if (outcome === 'killed' && signal === 'SIGKILL') resolve('killed')
        else if (outcome === 'done' && code === 0) resolve('done')
        else reject(new Error(`child exited ${code} ${signal}: ${stderr}`))
      })
    })
  }

  it('recovers the new state after SIGKILL at the marker, mid-apply and mid-resume', async () => {
    const src = await nodeWithData(await dirs.make(), { entries: 30, term: 5, keys: 1500, tag: 'src' })
    const snap = await readySnapshot(src)
    const want = pairsOf(src)
    const chunks = await allChunks(src, snap)
    expect(chunks.length).toBeGreaterThan(30)
    const srcDir = await dirs.make()
    await writeFile(join(srcDir, 'snapshot.bin'), eraftpb.Snapshot.encode(snap).finish())
    for (let i = 0; i < chunks.length; i++) await writeFile(join(srcDir, `chunk-${i}.bin`), chunks[i]!)

    const oldNode = async (): Promise<string> => {
      const dir = await dirs.make()
      await close(await nodeWithData(dir, { entries: 12, term: 2, keys: 2000, tag: 'dst' }))
      return dir
    }
    const expectNewState = async (dir: string): Promise<void> => {
      const s = await open(dir)
      expect(s.applyState).toEqual({ appliedIndex: 30, truncatedIndex: 30, truncatedTerm: 5 })
      expect(s.regionState.state).toBe(PeerState.Normal)
      expect([s.firstIndex(), s.lastIndex()]).toEqual([31, 30])
      expect(pairsOf(s)).toEqual(want)
      expect(await snapEntries(dir)).toEqual([])
      await close(s)
    }

    // Killed right after the Applying marker: open() redoes the whole replacement.
    const a = await oldNode()
    expect(await runChild(a, srcDir, 0)).toBe('killed')
    await expectNewState(a)

    // Killed in the middle of copying chunks, then again while open() resumes the
    // apply, then allowed to finish.
    const k1 = 1 + Math.floor(Math.random() * (chunks.length - 2))
    const k2 = 1 + Math.floor(Math.random() * (chunks.length - 2))
    const b = await oldNode()
    expect(await runChild(b, srcDir, k1), `kill after chunk ${k1}`).toBe('killed')
    expect(await runChild(b, srcDir, k2), `kill after chunk ${k2} of the resumed apply`).toBe('killed')
    expect(await runChild(b, srcDir, -1)).toBe('done')
    await expectNewState(b)
  }, 60_000)
})
