// Errors of the command line itself, each with the exit status it ends with.
// (Errors of the calls are raftkv/client's ClientError: exit status 1.)

export type CliErrorCode = 'USAGE' | 'NOT_FOUND' | 'FAILED'

export const EXIT_OK = 0
/** A call failed (the message says how, and whether a write may have applied). */
export const EXIT_FAILED = 1
/** Bad arguments or options. */
export const EXIT_USAGE = 2
/** `get` of a key that is absent. */
export const EXIT_NOT_FOUND = 3

const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = { USAGE: EXIT_USAGE, NOT_FOUND: EXIT_NOT_FOUND, FAILED: EXIT_FAILED }

export class CliError extends Error {
  readonly code: CliErrorCode
  readonly exitCode: number
  constructor(code: CliErrorCode, message: string) {
    super(message)
    this.name = 'CliError'
    this.code = code
    this.exitCode = EXIT_CODES[code]
  }
}
