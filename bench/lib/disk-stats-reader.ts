// Reads the machine's disk counters (bench/lib/disk-stats.ts); undefined where there are none.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { parseDiskStats, type DiskCounters } from './disk-stats.js'

export function readDiskCounters(): DiskCounters | undefined {
  if (!existsSync('/proc/diskstats') || !existsSync('/sys/block')) return undefined
  return parseDiskStats(readFileSync('/proc/diskstats', 'utf8'), new Set(readdirSync('/sys/block')))
}
