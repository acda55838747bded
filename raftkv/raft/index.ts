// raftkv/raft: the public surface fixed by raft-api.md (work in progress: core follows).
export * from './types.js'
export * from './errors.js'
export * from './storage.js'
