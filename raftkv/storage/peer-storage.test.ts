import { afterEach, describe, expect, it } from 'vitest'
import { ErrCompacted, ErrUnavailable, MemoryStorage, type Entry } from '../raft/index.js'
import { allRaftLogRange, decodeRaftLogKey } from './keys.js'
import { PeerState } from './local-state.js'
import { PeerStorage, type PeerStorageOptions } from './peer-storage.js'
import { TempDirs } from './testing/temp-dirs.js'

const dirs = new TempDirs()
const opened: PeerStorage[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close()
  await dirs.cleanup()
})

const peers = [{ id: 1, addr: '127.0.0.1:7001' }, { id: 2, addr: '127.0.0.1:7002' }, { id: 3, addr: '127.0.0.1:7003' }]

async function open(dataDir: string, extra: Partial<PeerStorageOptions> = {}): Promise<PeerStorage> {
  const s = await PeerStorage.open({ dataDir, initialPeers: peers, ...extra })
  opened.push(s)
  return s
}

async function reopen(s: PeerStorage, dataDir: string): Promise<PeerStorage> {
  opened.splice(opened.indexOf(s), 1)
  await s.close()
  return open(dataDir)
}

const ent = (index: number, term: number, data = `e${index}`): Entry => ({ index, term, data: Buffer.from(data) })
const ents = (from: number, to: number, term: number): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => ent(from + i, term))
const view = (es: Entry[]): Array<[number, number]> => es.map((e) => [e.index ?? 0, e.term ?? 0])
const b = (s: string): Buffer => Buffer.from(s)

/** Log keys actually on disk. */
function diskLogIndexes(s: PeerStorage): number[] {
  const r = allRaftLogRange(1)
  return s.engine.scan(r.start, r.end).map(([k]) => decodeRaftLogKey(k, 1))
}

describe('PeerStorage: bootstrap and restart', () => {
  it('bootstraps a fresh node: term 0, empty log, membership from the initial peers', async () => {
    const s = await open(await dirs.make())
    expect(s.initialState()).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, confState: { nodes: [1, 2, 3] } })
    expect([s.firstIndex(), s.lastIndex(), s.term(0)]).toEqual([1, 0, 0])
    expect(s.entries(1, 1)).toEqual([])
    expect(() => s.entries(1, 2)).toThrow(ErrUnavailable)
    expect(() => s.entries(0, 1)).toThrow(ErrCompacted)
    expect(s.regionState).toEqual({ state: PeerState.Normal, region: { id: 1, confVer: 1, version: 1, peers } })
    expect(s.applyState).toEqual({ appliedIndex: 0, truncatedIndex: 0, truncatedTerm: 0 })
  })

  it('keeps persisted membership over the initial peers given at a later start', async () => {
    const dir = await dirs.make()
    await (await open(dir)).close()
    opened.length = 0
    const s = await open(dir, { initialPeers: [{ id: 9, addr: 'x:1' }] })
    expect(s.initialState().confState.nodes).toEqual([1, 2, 3])
  })

  it('persists entries and hard state in one batch and reloads them', async () => {
    const dir = await dirs.make()
    let s = await open(dir)
    await s.saveReadyState({ hardState: { term: 2, vote: 1, commit: 3 }, entries: [...ents(1, 2, 1), ...ents(3, 5, 2)] })
    expect(s.lastIndex()).toBe(5)
    s = await reopen(s, dir)
    expect(s.initialState().hardState).toEqual({ term: 2, vote: 1, commit: 3 })
    expect(s.raftState).toEqual({ hardState: { term: 2, vote: 1, commit: 3 }, lastIndex: 5, lastTerm: 2 })
    expect(view(s.entries(1, 6))).toEqual([[1, 1], [2, 1], [3, 2], [4, 2], [5, 2]])
    expect(s.entries(4, 5)[0]!.data).toEqual(b('e4'))
  })

  it('treats an all-zero hard state as unchanged', async () => {
    const s = await open(await dirs.make())
    await s.saveReadyState({ hardState: { term: 3, vote: 2, commit: 0 }, entries: ents(1, 2, 3) })
    await s.saveReadyState({ hardState: { term: 0, vote: 0, commit: 0 }, entries: ents(3, 3, 3) })
    expect(s.raftState.hardState).toEqual({ term: 3, vote: 2, commit: 0 })
    expect(s.lastIndex()).toBe(3)
  })

  it('deletes the entries past a shorter conflicting append, in memory and on disk', async () => {
    const dir = await dirs.make()
    let s = await open(dir)
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 2 }, entries: ents(1, 6, 1) })
    await s.saveReadyState({ hardState: { term: 2, vote: 2, commit: 2 }, entries: ents(3, 4, 2) })
    expect(s.lastIndex()).toBe(4)
    expect(view(s.entries(1, 5))).toEqual([[1, 1], [2, 1], [3, 2], [4, 2]])
    expect(() => s.entries(1, 6)).toThrow(ErrUnavailable)
    expect(diskLogIndexes(s)).toEqual([1, 2, 3, 4])
    s = await reopen(s, dir)
    expect(s.raftState.lastTerm).toBe(2)
    expect(view(s.entries(1, 5))).toEqual([[1, 1], [2, 1], [3, 2], [4, 2]])
  })

  it('refuses an append that leaves a gap or a commit past the last index', async () => {
    const s = await open(await dirs.make())
    await s.saveReadyState({ entries: ents(1, 2, 1) })
    await expect(s.saveReadyState({ entries: ents(4, 4, 1) })).rejects.toMatchObject({ code: 'StorageBadArgument' })
    await expect(s.saveReadyState({ hardState: { term: 1, commit: 3 }, entries: [] })).rejects.toMatchObject({ code: 'StorageBadArgument' })
    expect(s.lastIndex()).toBe(2)
    expect(s.raftState.hardState.commit).toBe(0)
  })
})

describe('PeerStorage: raft Storage semantics', () => {
  // After TinyKV's TestPeerStorageTerm / TestPeerStorageEntries: log (3, 6] with truncated 3/3.
  async function compactedStorage(): Promise<PeerStorage> {
    const s = await open(await dirs.make())
    await s.saveReadyState({ hardState: { term: 6, commit: 6 }, entries: [ent(1, 1), ent(2, 2), ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 6)] })
    s.commitApply(s.newApplyBatch().compactLog(3, 3), 4)
    return s
  }

  it('answers term() like MemoryStorage around the truncated index', async () => {
    const s = await compactedStorage()
    expect(() => s.term(2)).toThrow(ErrCompacted)
    expect(s.term(3)).toBe(3)
    expect(s.term(4)).toBe(4)
    expect(s.term(6)).toBe(6)
    expect(() => s.term(7)).toThrow(ErrUnavailable)
    expect([s.firstIndex(), s.lastIndex()]).toEqual([4, 6])
  })

  it('answers entries() like MemoryStorage around the truncated index', async () => {
    const s = await compactedStorage()
    expect(() => s.entries(2, 6)).toThrow(ErrCompacted)
    expect(() => s.entries(3, 4)).toThrow(ErrCompacted)
    expect(view(s.entries(4, 5))).toEqual([[4, 4]])
    expect(view(s.entries(4, 7))).toEqual([[4, 4], [5, 5], [6, 6]])
    expect(() => s.entries(4, 8)).toThrow(ErrUnavailable)
  })

  it.each([['the default entry cache', undefined], ['a 100-byte entry cache (most reads from RocksDB)', 100]])('matches MemoryStorage over random appends, conflicts and compactions, with %s', async (_name, entryCacheBytes) => {
    let seed = 12345
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const s = await open(await dirs.make(), entryCacheBytes === undefined ? {} : { entryCacheBytes })
    const m = new MemoryStorage()
    let term = 1
    for (let step = 0; step < 200; step++) {
      const commit = s.raftState.hardState.commit
      if (rand(5) === 0 && s.appliedIndex > s.truncatedIndex) {
        const idx = s.truncatedIndex + 1 + rand(s.appliedIndex - s.truncatedIndex)
        s.commitApply(s.newApplyBatch().compactLog(idx, s.term(idx)), s.appliedIndex)
        m.compact(idx)
      } else {
        if (rand(4) === 0) term++
        // New entries start anywhere past the commit index (a follower overwriting an uncommitted suffix).
        const start = commit + 1 + rand(s.lastIndex() - commit + 1)
        const es = ents(start, start + rand(4), term)
        const newCommit = Math.min(commit + rand(3), start + es.length - 1)
        await s.saveReadyState({ hardState: { term, vote: 1, commit: newCommit }, entries: es })
        m.append(es)
        if (newCommit > s.appliedIndex) s.commitApply(s.newApplyBatch(), newCommit)
      }
      expect([s.firstIndex(), s.lastIndex()]).toEqual([m.firstIndex(), m.lastIndex()])
      const lo = s.firstIndex() - 1
      for (let i = lo; i <= s.lastIndex(); i++) expect(s.term(i)).toBe(m.term(i))
      expect(view(s.entries(s.firstIndex(), s.lastIndex() + 1))).toEqual(view(m.entries(m.firstIndex(), m.lastIndex() + 1)))
    }
    // The walk did compact and change terms.
    expect(s.truncatedIndex).toBeGreaterThan(0)
    expect(s.raftState.lastTerm).toBeGreaterThan(5)
  })
})

describe('PeerStorage: applying', () => {
  it('writes user data with the applied index atomically and serves get/scan', async () => {
    const dir = await dirs.make()
    let s = await open(dir)
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 3 }, entries: ents(1, 3, 1) })
    s.commitApply(s.newApplyBatch().put(b('a'), b('1')).put(b('b'), b('2')).put(b('c'), b('3')), 2)
    s.commitApply(s.newApplyBatch().delete(b('b')).put(b('d'), b('4')), 3)
    expect(s.get(b('a'))).toEqual(b('1'))
    expect(s.get(b('b'))).toBeUndefined()
    expect(s.scan(b('a'), b('')).map((kv) => `${kv.key}=${kv.value}`)).toEqual(['a=1', 'c=3', 'd=4'])
    expect(s.scan(b('b'), b('d')).map((kv) => kv.key.toString())).toEqual(['c'])
    expect(s.scan(b(''), b(''), 2)).toHaveLength(2)
    s = await reopen(s, dir)
    expect(s.appliedIndex).toBe(3)
    expect(s.get(b('d'))).toEqual(b('4'))
  })

  it('bounds a scan in pairs and in bytes, always returning at least one pair, and says whether more are left', async () => {
    const s = await open(await dirs.make())
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 1 }, entries: ents(1, 1, 1) })
    const batch = s.newApplyBatch()
    for (let i = 0; i < 100; i++) batch.put(b(`k${String(i).padStart(3, '0')}`), Buffer.alloc(1000, i))
    s.commitApply(batch, 1)
    const keys = (r: { pairs: { key: Buffer }[] }): string[] => r.pairs.map((p) => p.key.toString())
    const all = s.scanBounded(b(''), b(''), 1000, 1 << 30)
    expect(all.pairs).toHaveLength(100)
    expect(all.more).toBe(false)
    expect(keys(all)).toEqual(s.scan(b(''), b('')).map((p) => p.key.toString()))
    const byCount = s.scanBounded(b(''), b(''), 40, 1 << 30)
    expect(keys(byCount)).toEqual(keys(all).slice(0, 40))
    expect(byCount.more).toBe(true)
    // 1004 bytes a pair: the bound is reached by the 10th pair.
    const byBytes = s.scanBounded(b('k010'), b(''), 1000, 10_000)
    expect(keys(byBytes)).toEqual(keys(all).slice(10, 20))
    expect(byBytes.more).toBe(true)
    expect(s.scanBounded(b(''), b(''), 1000, 1).pairs).toHaveLength(1)
    const exact = s.scanBounded(b('k090'), b(''), 10, 1 << 30)
    expect(exact.pairs).toHaveLength(10)
    expect(exact.more).toBe(false)
    expect(s.scanBounded(b('k050'), b('k053'), 1000, 1 << 30)).toEqual({ pairs: s.scan(b('k050'), b('k053')), more: false })
  })

  it('refuses to apply past the persisted commit index or backwards', async () => {
    const s = await open(await dirs.make())
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 2 }, entries: ents(1, 3, 1) })
    expect(() => s.commitApply(s.newApplyBatch().put(b('x'), b('y')), 3)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    s.commitApply(s.newApplyBatch(), 2)
    expect(() => s.commitApply(s.newApplyBatch(), 1)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    expect(s.get(b('x'))).toBeUndefined()
  })

  it('writes a commit index with the apply batch (one write), never past the log, and keeps it across a restart', async () => {
    const dir = await dirs.make()
    let s = await open(dir)
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 1 }, entries: ents(1, 3, 1) })
    expect(() => s.commitApply(s.newApplyBatch(), 3, 4)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    expect(() => s.commitApply(s.newApplyBatch(), 3, 2)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    s.commitApply(s.newApplyBatch().put(b('x'), b('y')), 3, 3)
    expect(s.raftState.hardState).toEqual({ term: 1, vote: 1, commit: 3 })
    // The Ready's own write of that hard state then has nothing left to do.
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 3 }, entries: [] })
    s.commitApply(s.newApplyBatch(), 3, 2) // a lower commit is no change
    s = await reopen(s, dir)
    expect(s.raftState).toEqual({ hardState: { term: 1, vote: 1, commit: 3 }, lastIndex: 3, lastTerm: 1 })
    expect(s.appliedIndex).toBe(3)
    expect(s.get(b('x'))?.toString()).toBe('y')
  })

  it('persists a conf change as the new region and reports it as the conf state', async () => {
    const dir = await dirs.make()
    let s = await open(dir)
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 1 }, entries: ents(1, 1, 1) })
    const region = { ...s.regionState.region, confVer: 2, peers: [...peers, { id: 4, addr: '127.0.0.1:7004' }] }
    s.commitApply(s.newApplyBatch().setRegion(region), 1)
    expect(s.initialState().confState.nodes).toEqual([1, 2, 3, 4])
    s = await reopen(s, dir)
    expect(s.regionState.region).toEqual(region)
    expect(s.initialState().confState.nodes).toEqual([1, 2, 3, 4])
  })
})

describe('PeerStorage: entry cache budget', () => {
  it('holds only the newest entries within its budget, reads the rest from RocksDB, and reopens the same log', async () => {
    const dir = await dirs.make()
    const big = (index: number, term: number): Entry => ({ index, term, data: Buffer.alloc(1000, index % 251) })
    let s = await open(dir, { entryCacheBytes: 10_000 })
    for (let i = 1; i <= 50; i += 5) {
      await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: i + 4 }, entries: Array.from({ length: 5 }, (_, k) => big(i + k, 1)) })
      expect(s.entryCacheMemory.heldBytes).toBeLessThanOrEqual(10_000)
    }
    expect(s.entryCacheMemory.heldEntries).toBeLessThan(50)
    expect(s.logByteSize).toBe(50 * 1024)
    const all = s.entries(1, 51)
    expect(all.map((e) => e.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(all.every((e) => e.data?.[0] === (e.index ?? 0) % 251)).toBe(true)
    expect([s.term(1), s.term(50)]).toEqual([1, 1])
    // A conflicting suffix that starts below the held entries.
    await s.saveReadyState({ hardState: { term: 2, vote: 2, commit: 5 }, entries: [big(6, 2), big(7, 2)] })
    expect([s.lastIndex(), s.term(5), s.term(6), s.term(7)]).toEqual([7, 1, 2, 2])
    expect(() => s.entries(1, 9)).toThrow(ErrUnavailable)
    opened.splice(opened.indexOf(s), 1)
    await s.close()
    s = await open(dir, { entryCacheBytes: 2_000 })
    expect(s.entryCacheMemory.heldBytes).toBeLessThanOrEqual(2_000)
    expect(view(s.entries(1, 8))).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 2], [7, 2]])
    expect(s.logByteSize).toBe(7 * 1024)
  })
})

describe('PeerStorage: log truncation', () => {
  it('moves the first index on CompactLog and range-deletes the log below it in the background', async () => {
    const dir = await dirs.make()
    const events: string[] = []
    let s = await open(dir, { onEvent: (e) => events.push(e.type) })
    await s.saveReadyState({ hardState: { term: 2, vote: 1, commit: 20 }, entries: [...ents(1, 10, 1), ...ents(11, 30, 2)] })
    s.commitApply(s.newApplyBatch().put(b('k'), b('v')), 20)
    const bytesBefore = s.logByteSize
    s.commitApply(s.newApplyBatch().compactLog(15, 2), 20)
    expect(s.applyState).toEqual({ appliedIndex: 20, truncatedIndex: 15, truncatedTerm: 2 })
    expect(s.firstIndex()).toBe(16)
    expect(s.term(15)).toBe(2)
    expect(() => s.entries(15, 17)).toThrow(ErrCompacted)
    expect(s.logByteSize).toBeLessThan(bytesBefore)
    await s.flushLogGc()
    expect(events).toContain('log-gc')
    expect(diskLogIndexes(s)).toEqual(Array.from({ length: 15 }, (_, i) => 16 + i))
    // A stale CompactLog is ignored; a wrong term is refused.
    s.commitApply(s.newApplyBatch().compactLog(10, 1), 20)
    expect(s.truncatedIndex).toBe(15)
    expect(() => s.commitApply(s.newApplyBatch().compactLog(18, 1), 20)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    expect(() => s.commitApply(s.newApplyBatch().compactLog(25, 2), 20)).toThrow(expect.objectContaining({ code: 'StorageBadArgument' }))
    s = await reopen(s, dir)
    expect([s.firstIndex(), s.lastIndex(), s.term(15), s.term(30)]).toEqual([16, 30, 2, 2])
    expect(s.get(b('k'))).toEqual(b('v'))
  })

  it('finishes deleting truncated log keys at open when a crash left them', async () => {
    const dir = await dirs.make()
    let s = await open(dir)
    await s.saveReadyState({ hardState: { term: 1, vote: 1, commit: 10 }, entries: ents(1, 10, 1) })
    s.commitApply(s.newApplyBatch().compactLog(6, 1), 10)
    // Close right away: whether or not the background delete ran, open() schedules it again.
    s = await reopen(s, dir)
    await s.flushLogGc()
    expect(diskLogIndexes(s)).toEqual([7, 8, 9, 10])
  })
})
