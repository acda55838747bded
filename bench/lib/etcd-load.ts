// The kv bench's workload against etcd: closed-loop clients for a fixed time, each op on a
// key drawn from the same key space as raftkv's load (loadKey), 128-byte values; puts or
// linearizable gets over etcd's gRPC API, all clients on one channel to the leader (as
// raftkv's load client sends to its leader), so that neither pays a forwarding hop.
import { loadKey } from '../../raftkv/client/index.js'
import { EtcdGrpcClient } from './etcd-grpc.js'

export interface EtcdLoadRow { ops: number; opsPerSec: number; p50Ms: number; p99Ms: number; maxMs: number; errors: number }

export async function etcdLoad(leader: string, o: { clients: number; durationMs: number; keys: number; valueSize: number; op: 'put' | 'get' }): Promise<EtcdLoadRow> {
  const value = Buffer.alloc(o.valueSize, 0x61)
  const client = new EtcdGrpcClient(leader)
  // The channel connects on its first call: connect before the clock starts.
  await client.get('warm-up', 5000)
  const lat: number[] = []
  let errors = 0
  const started = performance.now()
  const until = started + o.durationMs
  await Promise.all(Array.from({ length: o.clients }, async () => {
    while (performance.now() < until) {
      const key = loadKey(Math.floor(Math.random() * o.keys))
      const t = performance.now()
      try {
        if (o.op === 'put') await client.put(key, value, 5000)
        else await client.get(key, 5000)
        lat.push(performance.now() - t)
      } catch {
        errors++
      }
    }
  }))
  client.close()
  const secs = (performance.now() - started) / 1000
  lat.sort((a, b) => a - b)
  const q = (p: number): number => +(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0).toFixed(2)
  return { ops: lat.length, opsPerSec: Math.round(lat.length / secs), p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), errors }
}
