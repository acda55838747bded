// Options shared by the client commands: --endpoints, --token, --timeout,
// and the parsing of durations and numbers given on the command line.
import { InvalidArgumentError, Option, type Command } from 'commander'
import { parseEndpointList } from '../client/index.js'
import { EndpointFormatError } from '../client/index.js'
import { CliError } from './errors.js'

export const DEFAULT_ENDPOINTS = '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003'

export interface ConnectionOptions {
  endpoints: string[]
  token: string
  timeoutMs: number
}

interface RawConnectionOptions {
  endpoints?: string
  token?: string
  timeout: number
}

/** Adds --endpoints, --token and --timeout to a command. */
export function withConnectionOptions(command: Command, defaultTimeout = '5s'): Command {
  return command
    .option('--endpoints <list>', `comma-separated host:port of the nodes (default: $RAFTKV_ENDPOINTS or ${DEFAULT_ENDPOINTS})`)
    .option('--token <token>', 'the cluster token (default: $RAFTKV_TOKEN)')
    .addOption(durationFlag('--timeout <duration>', 'deadline of each call, retries included, e.g. 500ms, 5s', defaultTimeout))
}

export function connectionOptions(raw: RawConnectionOptions): ConnectionOptions {
  const token = raw.token ?? process.env.RAFTKV_TOKEN
  if (token === undefined || token === '') throw new CliError('USAGE', 'no token: pass --token or set RAFTKV_TOKEN')
  const list = raw.endpoints ?? process.env.RAFTKV_ENDPOINTS ?? DEFAULT_ENDPOINTS
  try {
    return { endpoints: parseEndpointList(list), token, timeoutMs: raw.timeout }
  } catch (err) {
    if (err instanceof EndpointFormatError) throw new CliError('USAGE', err.message)
    throw err
  }
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** An option taking a duration, its default shown as written (e.g. "10s"). */
export function durationFlag(flags: string, description: string, defaultValue: string): Option {
  return new Option(flags, description).argParser(parseDuration).default(parseDuration(defaultValue), defaultValue)
}

/** "250ms", "1.5s", "2m", "1h"; a bare number is seconds. Returns milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (match === null) throw new InvalidArgumentError(`"${text}" is not a duration (e.g. 500ms, 10s, 2m)`)
  const ms = Number(match[1]) * UNITS[match[2] ?? 's']!
  if (!(ms > 0)) throw new InvalidArgumentError('a duration must be more than 0')
  return ms
}

/** Digits only, and exact as a number (below 2^53): 9007199254740993 would silently become ...992. */
function exactInt(text: string): number | undefined {
  const t = text.trim()
  if (!/^\d{1,16}$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

export function positiveIntOption(text: string): number {
  const n = exactInt(text)
  if (n === undefined || n < 1) throw new InvalidArgumentError(`"${text}" is not a positive integer below 2^53`)
  return n
}

export function nonNegativeIntOption(text: string): number {
  const n = exactInt(text)
  if (n === undefined) throw new InvalidArgumentError(`"${text}" is not a non-negative integer below 2^53`)
  return n
}

export function ratioOption(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`"${text}" is not a ratio between 0 and 1`)
  return n
}
