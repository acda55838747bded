// Which log lines a filter keeps: node, lowest level, case-insensitive text in the
// message or the fields.
import type { LogLevel, LogLine } from '../../main/control/types'

export const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']

export interface LogFilter {
  /** 0: every node (merged). */
  node: number
  level: LogLevel
  text: string
}

export function lineText(line: LogLine): string {
  const fields = Object.entries(line.fields)
    .filter(([k]) => !['pid', 'hostname', 'time', 'level', 'msg', 'node'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return fields.length === 0 ? line.msg : `${line.msg} ${fields.join(' ')}`
}

export function keepLine(filter: LogFilter): (line: LogLine) => boolean {
  const lowest = LEVELS.indexOf(filter.level)
  const needle = filter.text.trim().toLowerCase()
  return (line) =>
    (filter.node === 0 || line.node === filter.node) &&
    LEVELS.indexOf(line.level) >= lowest &&
    (needle === '' || lineText(line).toLowerCase().includes(needle))
}
