// How the desktop app starts a node: Electron's own binary, run as plain Node
// (ELECTRON_RUN_AS_NODE=1), on the built node entry shipped inside the app
// (out/node/raftkv/server/main.js, built by `npm run build:node`). In the packaged app
// appPath is resources/app.asar: Electron's Node mode reads scripts from the asar and
// loads the RocksDB binding from app.asar.unpacked.
import { join } from 'node:path'

export const NODE_ENTRY = join('out', 'node', 'raftkv', 'server', 'main.js')

export interface NodeLaunch {
  command: string
  args: string[]
  env: Record<string, string>
}

export function nodeLaunch(execPath: string, appPath: string): NodeLaunch {
  return { command: execPath, args: [join(appPath, NODE_ENTRY)], env: { ELECTRON_RUN_AS_NODE: '1' } }
}
