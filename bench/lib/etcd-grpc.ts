// etcd's own client protocol for the kv bench: gRPC (HTTP/2) to etcdserverpb.KV, one
// channel per member, as etcd's Go client talks to it. The JSON gateway goes through an
// extra in-process gRPC hop, which would make etcd look slower than it is.
//
// Only the fields the bench sets are encoded (field numbers of etcd's rpc.proto:
// PutRequest key = 1, value = 2; RangeRequest key = 1, serializable = 7, which stays false
// so that a get is linearizable); answers are taken as bytes and not decoded.
import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js'
import protobuf from 'protobufjs'

const identity = (b: Buffer): Buffer => b

function encodePut(key: Uint8Array, value: Uint8Array): Buffer {
  return Buffer.from(protobuf.Writer.create().uint32((1 << 3) | 2).bytes(key).uint32((2 << 3) | 2).bytes(value).finish())
}

function encodeRange(key: Uint8Array): Buffer {
  return Buffer.from(protobuf.Writer.create().uint32((1 << 3) | 2).bytes(key).finish())
}

export class EtcdGrpcError extends Error {
  readonly code = 'ETCD_GRPC' as const
  constructor(readonly endpoint: string, readonly grpcStatus: number, detail: string) {
    super(`etcd ${endpoint}: gRPC ${status[grpcStatus] ?? grpcStatus}: ${detail}`)
  }
}

/** One member's gRPC channel; close() when done. */
export class EtcdGrpcClient {
  private readonly client: Client

  constructor(readonly endpoint: string) {
    this.client = new Client(endpoint, credentials.createInsecure())
  }

  put(key: string | Uint8Array, value: Uint8Array, timeoutMs: number): Promise<void> {
    return this.call('/etcdserverpb.KV/Put', encodePut(Buffer.from(key), value), timeoutMs)
  }

  get(key: string | Uint8Array, timeoutMs: number): Promise<void> {
    return this.call('/etcdserverpb.KV/Range', encodeRange(Buffer.from(key)), timeoutMs)
  }

  close(): void {
    this.client.close()
  }

  private call(method: string, request: Buffer, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(method, identity, identity, request, { deadline: Date.now() + timeoutMs }, (err: ServiceError | null) => {
        if (err) reject(new EtcdGrpcError(this.endpoint, err.code, err.details))
        else resolve()
      })
    })
  }
}
