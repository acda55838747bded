// main/web: web mode (HTTP + JSON-RPC 2.0 over WebSocket) for any ControlApi.
export { startWebServer } from './web-server.js'
export type { WebServer, WebServerOptions } from './web-server.js'
export { ControlSession, CONTROL_ERROR_CODE } from './control-session.js'
export { CSP, contentTypeOf } from './static-files.js'
export { builtDashboardDir } from './dashboard-dir.js'
