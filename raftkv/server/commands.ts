// The commands a node proposes through raft (raft_cmdpb.RaftCmdRequest in an entry's
// data), and how a committed one is recognised by the node that proposed it.
import { raft_cmdpb, eraftpb } from '../../proto/generated/protos.js'
import { REGION_ID } from '../storage/index.js'
import { NodeError } from './errors.js'

export const CmdType = raft_cmdpb.CmdType
export const AdminCmdType = raft_cmdpb.AdminCmdType
export type RaftCmdRequest = raft_cmdpb.RaftCmdRequest.$Properties

export type WriteOp =
  | { kind: 'put'; key: Uint8Array; value: Uint8Array }
  | { kind: 'delete'; key: Uint8Array }

export interface ProposalHeader {
  peerId: number
  proposalId: number
}

export function encodeWrite(header: ProposalHeader, op: WriteOp): Uint8Array {
  const req: RaftCmdRequest = {
    header: { regionId: REGION_ID, peerId: header.peerId, proposalId: header.proposalId },
    requests: [op.kind === 'put'
      ? { cmdType: CmdType.Put, put: { key: op.key, value: op.value } }
      : { cmdType: CmdType.Delete, delete: { key: op.key } }],
  }
  return ownBuffer(raft_cmdpb.RaftCmdRequest.encode(req).finish())
}

/**
 * A copy in a buffer of its own. protobufjs encodes small messages into slices of Node's
 * shared 8 KiB Buffer pool; a proposal's bytes live on in the raft log's entry cache, and
 * each one kept its whole pool slab (and every dead slice in it) alive.
 */
function ownBuffer(b: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafeSlow(b.byteLength)
  out.set(b)
  return out
}

export function encodeAdmin(header: ProposalHeader, admin: raft_cmdpb.AdminRequest.$Properties): Uint8Array {
  return raft_cmdpb.RaftCmdRequest.encode({ header: { regionId: REGION_ID, peerId: header.peerId, proposalId: header.proposalId }, adminRequest: admin }).finish()
}

/** Decodes a normal entry's command. Throws NodeError('BadCommand') on garbage. */
export function decodeCommand(data: Uint8Array): raft_cmdpb.RaftCmdRequest {
  try {
    return raft_cmdpb.RaftCmdRequest.decode(data)
  } catch (e) {
    throw new NodeError('BadCommand', 'undecodable command in the raft log', { cause: e })
  }
}

/** A conf change entry carries its RaftCmdRequest (header + peer address) in context. */
export function encodeConfChangeEntry(header: ProposalHeader, changeType: eraftpb.ConfChangeType, peer: { id: number; addr: string }): eraftpb.ConfChange.$Properties {
  const context = encodeAdmin(header, { cmdType: AdminCmdType.ChangePeer, changePeer: { changeType, peer } })
  return { changeType, nodeId: peer.id, context }
}
