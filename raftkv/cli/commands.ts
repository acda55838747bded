// Every `raftkv` subcommand is registered here.
import type { Command } from 'commander'
import { registerKvCommands } from './kv-commands.js'
import { registerLoadCommand } from './load-command.js'
import { registerStatusCommand } from './status-command.js'
import { registerAdminCommands } from './admin-commands.js'
import { registerClusterCommand } from './cluster-command.js'
import { nodeCommand } from '../server/index.js'

export function registerCommands(program: Command): void {
  registerKvCommands(program)
  registerStatusCommand(program)
  registerLoadCommand(program)
  registerAdminCommands(program)
  registerClusterCommand(program)
  program.addCommand(nodeCommand())
}
