// One line a node printed, parsed: pino JSON on stdout becomes a LogLine with its level
// name, message and the remaining fields; anything else (stderr, a stray print) is kept
// as a line of its own so that nothing a node says is lost.
import type { LogLevel, LogLine } from '../control/types.js'

const PINO_LEVELS: Record<number, LogLevel> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }

export const LEVEL_RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

export function parseNodeLine(node: number, stream: 'stdout' | 'stderr', text: string, nowMs: number): LogLine {
  if (stream === 'stdout' && text.startsWith('{')) {
    try {
      const rec = JSON.parse(text) as Record<string, unknown>
      if (rec !== null && typeof rec === 'object' && !Array.isArray(rec)) {
        const { level, time, msg, ...fields } = rec
        return {
          node,
          timeMs: typeof time === 'number' ? time : nowMs,
          level: (typeof level === 'number' ? PINO_LEVELS[level] : undefined) ?? 'info',
          msg: typeof msg === 'string' ? msg : '',
          fields,
        }
      }
    } catch {
      // not JSON: kept as a plain line below
    }
  }
  return { node, timeMs: nowMs, level: stream === 'stderr' ? 'error' : 'info', msg: text, fields: { stream } }
}
