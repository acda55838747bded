// The `raftkv` command line: buildProgram() makes the root command, main()
// runs it and returns the exit status (bin/raftkv.js sets it on the process).
import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { ClientError } from '../client/index.js'
import { registerCommands } from './commands.js'
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js'

export function buildProgram(): Command {
  const program = new Command('raftkv')
    .description('RaftKV: a Raft-replicated key-value store — client, status and load generator')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  registerCommands(program)
  program.addHelpText('after', '\nExit status: 0 ok, 1 a call failed, 2 bad usage, 3 key not found (get).')
  // Subcommands throw instead of exiting, like the root.
  const override = (c: Command): void => {
    c.exitOverride()
    c.commands.forEach(override)
  }
  program.commands.forEach(override)
  return program
}

function packageVersion(): string {
  // raftkv/cli/ from the sources, out/node/raftkv/cli/ once built: the project's package.json is above either.
  for (const up of ['../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'raftkv-manager' && pkg.version) return pkg.version
    } catch {
      // not there: try the next level
    }
  }
  return 'unknown'
}

/** Runs the command line (process.argv style) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync([...argv])
    return EXIT_OK
  } catch (err) {
    return exitStatus(err, argv[2] ?? 'raftkv')
  }
}

function exitStatus(err: unknown, command: string): number {
  if (err instanceof InvalidArgumentError) {
    // Thrown by an action checking its own arguments: commander has printed nothing.
    process.stderr.write(`raftkv: ${err.message}\n`)
    return EXIT_USAGE
  }
  if (err instanceof CommanderError) {
    // Commander printed its own message (or the help / version) already.
    if (err.exitCode === 0) return EXIT_OK
    return EXIT_USAGE
  }
  if (err instanceof CliError) {
    process.stderr.write(`raftkv: ${err.message}\n`)
    return err.exitCode
  }
  if (err instanceof ClientError) {
    const doubt = err.unknownOutcome ? ' (the write may or may not have been applied)' : ''
    process.stderr.write(`raftkv: ${command} failed: ${err.code}: ${err.message}${doubt}\n`)
    return EXIT_FAILED
  }
  throw err
}
