// Waits until everything written so far to a file stream is on disk (in the file), so
// that a reader of the file (the export) sees every line. Writes are handled in order:
// the callback of an empty write comes after all those before it.
import type { WriteStream } from 'node:fs'

export function flushStream(stream: WriteStream | undefined): Promise<void> {
  if (stream === undefined || stream.writableEnded || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => stream.write('', () => resolve()))
}
