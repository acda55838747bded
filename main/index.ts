// main/'s public surface for the packages above it (electron/, raftkv/cli): the in-process
// control API and how its node processes are started.
export { Controller, type ControllerOptions } from './control/controller.js'
export { builtNodeEntry, electronAsNodeCommand, NODE_V8_FLAGS, plainNodeCommand, type LaunchCommand } from './supervisor/launch-command.js'
// Web mode (raftkv cluster up).
export { builtDashboardDir, contentTypeOf, startWebServer, type WebServer, type WebServerOptions } from './web/index.js'
export { ControlError } from './control/errors.js'
export type { ClusterEvent, ClusterView, LaunchSpec } from './control/types.js'
