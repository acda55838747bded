// raftkv get | put | del | scan: one call each through RaftKvClient.
import type { Command } from 'commander'
import { RaftKvClient } from '../client/index.js'
import { CliError } from './errors.js'
import { connectionOptions, nonNegativeIntOption, withConnectionOptions, type ConnectionOptions } from './options.js'

type Raw = Parameters<typeof connectionOptions>[0]

/** An empty key is bad usage (exit 2), not a call that failed. */
function checkKey(key: string): string {
  if (key === '') throw new CliError('USAGE', 'the key must not be empty')
  return key
}

async function withClient<T>(options: ConnectionOptions, run: (client: RaftKvClient) => Promise<T>): Promise<T> {
  const client = new RaftKvClient(options)
  try {
    return await run(client)
  } finally {
    await client.close()
  }
}

export function registerKvCommands(program: Command): void {
  withConnectionOptions(program.command('get').argument('<key>').description('print the value of KEY (exit status 3 when it is absent)'))
    .action(async (key: string, raw: Raw) => {
      checkKey(key)
      const value = await withClient(connectionOptions(raw), (c) => c.get(key))
      if (value === null) throw new CliError('NOT_FOUND', `key ${JSON.stringify(key)} not found`)
      process.stdout.write(`${value.toString('utf8')}\n`)
    })

  withConnectionOptions(program.command('put').argument('<key>').argument('<value>').description('set KEY to VALUE'))
    .action(async (key: string, value: string, raw: Raw) => {
      checkKey(key)
      await withClient(connectionOptions(raw), (c) => c.put(key, value))
      process.stdout.write('OK\n')
    })

  withConnectionOptions(program.command('del').alias('delete').argument('<key>').description('delete KEY (absent or not)'))
    .action(async (key: string, raw: Raw) => {
      checkKey(key)
      await withClient(connectionOptions(raw), (c) => c.delete(key))
      process.stdout.write('OK\n')
    })

  withConnectionOptions(
    program.command('scan')
      .argument('[start]', 'first key (default: the start of the key space)', '')
      .argument('[end]', 'end key, excluded (default: the end of the key space)', '')
      .option('--limit <n>', 'at most N pairs (0: the server maximum)', nonNegativeIntOption, 0)
      .description('print KEY<TAB>VALUE for the keys in [START, END), in order'),
  ).action(async (start: string, end: string, raw: Raw & { limit: number }) => {
    const result = await withClient(connectionOptions(raw), (c) => c.scan(start, end, { limit: raw.limit }))
    process.stdout.write(result.pairs.map((p) => `${p.key.toString('utf8')}\t${p.value.toString('utf8')}\n`).join(''))
    if (result.more) process.stderr.write(`(${result.pairs.length} pairs shown; more follow: raise --limit or scan from after the last key)\n`)
  })
}
