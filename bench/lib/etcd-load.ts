// The kv bench's workload against etcd: closed-loop clients for a fixed time, each op on a
// key drawn from the same key space as raftkv's load (loadKey), 128-byte values; puts or
// linearizable gets through the v3 gateway, clients spread over the members.
import { loadKey } from '../../raftkv/client/index.js'
import { etcdGet, etcdPut } from './etcd-target.js'

export interface EtcdLoadRow { ops: number; opsPerSec: number; p50Ms: number; p99Ms: number; maxMs: number; errors: number }

export async function etcdLoad(endpoints: string[], o: { clients: number; durationMs: number; keys: number; valueSize: number; op: 'put' | 'get' }): Promise<EtcdLoadRow> {
  const value = Buffer.alloc(o.valueSize, 0x61)
  const lat: number[] = []
  let errors = 0
  const started = performance.now()
  const until = started + o.durationMs
  await Promise.all(Array.from({ length: o.clients }, async (_, c) => {
    const ep = endpoints[c % endpoints.length]!
    while (performance.now() < until) {
      const key = loadKey(Math.floor(Math.random() * o.keys))
      const t = performance.now()
      try {
        if (o.op === 'put') await etcdPut(ep, key, value, 5000)
        else await etcdGet(ep, key, 5000)
        lat.push(performance.now() - t)
      } catch {
        errors++
      }
    }
  }))
  const secs = (performance.now() - started) / 1000
  lat.sort((a, b) => a - b)
  const q = (p: number): number => +(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0).toFixed(2)
  return { ops: lat.length, opsPerSec: Math.round(lat.length / secs), p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), errors }
}
