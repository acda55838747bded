// The /kv service over a fake driver and connection: decoding, limits, answers, backpressure.
import { describe, expect, it } from 'vitest'
import { kvpb } from '../../proto/generated/protos.js'
import { KvService, type KvDriver } from './kv-service.js'
import type { WriteOutcome } from './raft-driver.js'
import type { ReadOutcome } from './reads.js'
import { MAX_KEY_BYTES, MAX_SCAN_REPLY_BYTES } from './limits.js'
import { FakeConnection, FakeStorage, silentLog } from './testing/fakes.js'

const Code = kvpb.ErrorCode
const b = (s: string): Uint8Array => new TextEncoder().encode(s)

class FakeDriver implements KvDriver {
  readonly storage = new FakeStorage([1, 2, 3])
  leaderId = 1
  readOutcome: ReadOutcome = { ok: true }
  writeOutcome: WriteOutcome = { ok: true }
  /** Writes are held until release() when set. */
  holdWrites = false
  private held: (() => void)[] = []

  read(_deadline: number, done: (o: ReadOutcome) => void): void {
    done(this.readOutcome)
  }

  write(op: Parameters<KvDriver['write']>[0], _deadline: number, done: (o: WriteOutcome) => void): void {
    const apply = (): void => {
      if (this.writeOutcome.ok) {
        const batch = this.storage.newApplyBatch()
        if (op.kind === 'put') batch.put(op.key, op.value)
        else batch.delete(op.key)
        this.storage.commitApply(batch, this.storage.appliedIndex + 1)
      }
      done(this.writeOutcome)
    }
    if (this.holdWrites) this.held.push(apply)
    else apply()
  }

  release(): void {
    for (const f of this.held.splice(0)) f()
  }
}

function setup() {
  const driver = new FakeDriver()
  const kv = new KvService({ log: silentLog(), driver, addrOf: (id) => `127.0.0.1:${7000 + id}` })
  const conn = new FakeConnection()
  kv.attach(conn)
  const call = (req: kvpb.IKvRequest): kvpb.KvResponse => {
    const before = conn.sent.length
    conn.deliver(kvpb.KvRequest.encode(req).finish())
    expect(conn.sent.length).toBe(before + 1)
    return kvpb.KvResponse.decode(conn.sent[conn.sent.length - 1]!)
  }
  return { driver, kv, conn, call }
}

describe('KvService', () => {
  it('puts, gets, deletes and scans through the driver, answering each request by its id', () => {
    const { call } = setup()
    expect(call({ id: 1, put: { key: b('a'), value: b('1') } }).put).toBeTruthy()
    expect(call({ id: 2, put: { key: b('b'), value: b('2') } }).id).toBe(2)
    const got = call({ id: 3, get: { key: b('a') } })
    expect(got.get?.found).toBe(true)
    expect(Buffer.from(got.get!.value!).toString()).toBe('1')
    expect(call({ id: 4, delete: { key: b('a') } }).delete).toBeTruthy()
    expect(call({ id: 5, get: { key: b('a') } }).get?.found).toBe(false)
    const scan = call({ id: 6, scan: { start: b(''), end: b(''), limit: 10 } })
    expect(scan.scan!.pairs!.map((p) => Buffer.from(p.key!).toString())).toEqual(['b'])
    expect(scan.scan?.more).toBe(false)
  })

  it('refuses bad keys, bad scans and unknown requests without reaching the driver', () => {
    const { call, driver } = setup()
    expect(call({ id: 1, put: { key: b(''), value: b('x') } }).error?.code).toBe(Code.BAD_REQUEST)
    expect(call({ id: 2, put: { key: new Uint8Array(MAX_KEY_BYTES + 1), value: b('x') } }).error?.code).toBe(Code.KEY_TOO_LARGE)
    expect(call({ id: 3, scan: { start: b('z'), end: b('a') } }).error?.code).toBe(Code.BAD_REQUEST)
    expect(call({ id: 4, scan: { limit: 1_000_000 } }).error?.code).toBe(Code.BAD_REQUEST)
    expect(call({ id: 5 }).error?.code).toBe(Code.BAD_REQUEST)
    expect(driver.storage.appliedIndex).toBe(0)
  })

  it('answers NOT_LEADER with the leader hint, and maps write outcomes to codes', () => {
    const { call, driver } = setup()
    driver.leaderId = 2
    driver.readOutcome = { ok: false, reason: 'not-leader' }
    const nl = call({ id: 1, get: { key: b('a') } }).error!
    expect(nl.code).toBe(Code.NOT_LEADER)
    expect(nl.leaderId).toBe(2)
    expect(nl.leaderAddr).toBe('127.0.0.1:7002')
    driver.writeOutcome = { ok: false, reason: 'stale' }
    expect(call({ id: 2, put: { key: b('a'), value: b('1') } }).error?.code).toBe(Code.STALE_COMMAND)
    driver.writeOutcome = { ok: false, reason: 'timeout' }
    expect(call({ id: 3, put: { key: b('a'), value: b('1') } }).error?.code).toBe(Code.TIMEOUT)
    driver.writeOutcome = { ok: false, reason: 'busy' }
    expect(call({ id: 4, put: { key: b('a'), value: b('1') } }).error?.code).toBe(Code.SERVER_BUSY)
  })

  it('bounds a scan answer in bytes and says more are left', () => {
    const { call, driver } = setup()
    const batch = driver.storage.newApplyBatch()
    const big = new Uint8Array(512 * 1024)
    for (let i = 0; i < 20; i++) batch.put(b(`k${String(i).padStart(2, '0')}`), big)
    driver.storage.commitApply(batch, 1)
    const r = call({ id: 1, scan: { limit: 10_000 } }).scan!
    const pairs = r.pairs!
    const bytes = pairs.reduce((n, p) => n + p.key!.length + p.value!.length, 0)
    expect(r.more).toBe(true)
    expect(pairs.length).toBeLessThan(20)
    expect(bytes).toBeLessThan(MAX_SCAN_REPLY_BYTES + big.length + 16)
  })

  it('closes a connection whose frame does not decode', () => {
    const { conn } = setup()
    conn.deliver(new Uint8Array([0xff, 0xff, 0xff]))
    expect(conn.closedWith).toBeDefined()
    expect(kvpb.KvResponse.decode(conn.sent[0]!).error?.code).toBe(Code.BAD_REQUEST)
  })

  it('stops reading a connection whose answers are not read, and reads again once they drain', () => {
    const { driver, conn } = setup()
    const batch = driver.storage.newApplyBatch()
    for (let i = 0; i < 8; i++) batch.put(b(`k${i}`), new Uint8Array(512 * 1024))
    driver.storage.commitApply(batch, 1)
    // Each scan answer is ~4 MiB: a few unread ones pass the high-water mark.
    let n = 0
    while (!conn.paused && n < 100) conn.deliver(kvpb.KvRequest.encode({ id: ++n, scan: { limit: 10_000 } }).finish())
    expect(conn.paused).toBe(true)
    expect(n).toBeLessThan(10)
    conn.flush()
    expect(conn.paused).toBe(false)
  })
})
