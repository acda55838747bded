// raftkv/transport: the node's WebSocket server, peer messaging on /raft, fault filters,
// snapshot streams on /snapshot.
export { TransportServer } from './server.js'
export type { TransportServerOptions, MaxFrameBytes, ConnectionHandler, ServerStats } from './server.js'
export { PeerTransport } from './peer-transport.js'
export type { PeerTransportOptions, PeerOptions, InboundVerdict, MessagesListener, UnreachableListener, LostListener } from './peer-transport.js'
export { Connection } from './connection.js'
export type { ConnectionInfo, ConnectionPath, ServicePath } from './connection.js'
export { validateFaults, noFaults, MAX_FAULT_DELAY_MS } from './faults.js'
export type { Faults } from './faults.js'
export type { TransportStats, PeerLinkStats, DropReason } from './stats.js'
export { DROP_REASONS } from './stats.js'
export { CloseCode, FROM_HEADER, ID_HEADER, PEER_PROOF_HEADER, MAX_WIRE_TERM } from './constants.js'
export { isNodeId, isPeerAddr, MAX_PEER_ADDR_LENGTH } from './validate.js'
export { bearer, peerCredential } from './auth.js'
export * from './errors.js'
export { SnapshotSender } from './snapshot-sender.js'
export type { SnapshotSenderOptions, SendSnapshotRequest, SnapshotSendResult, SnapshotSenderStats } from './snapshot-sender.js'
export { SnapshotReceiver } from './snapshot-receiver.js'
export type { SnapshotReceiverOptions, SnapshotReceiverStats } from './snapshot-receiver.js'
export type {
  SnapshotProgress, SnapshotTransferState, ProgressListener, SnapshotOffer, SnapshotSink, SnapshotHandler,
} from './snapshot-types.js'
