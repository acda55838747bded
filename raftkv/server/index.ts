// raftkv/server: one RaftKV node (driver loop, apply, kv / admin / snapshot services)
// and the `raftkv node` command that runs it.
export { RaftKvNode } from './node.js'
export { nodeCommand } from './node-command.js'
export { buildNodeConfig, parsePeers, type NodeConfig, type PeerAddr, type RawNodeArgs } from './node-config.js'
export { NodeConfigError, NodeError, type NodeErrorCode } from './errors.js'
