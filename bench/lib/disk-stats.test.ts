import { describe, expect, it } from 'vitest'
import { diskPerOp, parseDiskStats } from './disk-stats.js'

// Two snapshots of /proc/diskstats (kernel 6.x: 20 fields), a disk with one partition, a loop device.
const line = (name: string, writes: number, flushes: number, flushMs: number): string =>
  `   8       0 ${name} 100 0 800 50 ${writes} 10 ${writes * 8} 700 0 900 1000 0 0 0 0 ${flushes} ${flushMs}`

describe('disk counters', () => {
  it('sums whole disks only, not their partitions or loop devices', () => {
    const text = [line('vda', 1000, 300, 90), line('vda1', 990, 0, 0), line('loop0', 5, 1, 1), line('vdb', 10, 2, 2)].join('\n')
    expect(parseDiskStats(text, new Set(['vda', 'vdb', 'loop0']))).toEqual({ writes: 1010, flushes: 302, flushMs: 92 })
  })

  it('gives writes and flushes per operation and the mean flush time over an interval', () => {
    expect(diskPerOp({ writes: 1000, flushes: 300, flushMs: 90 }, { writes: 1800, flushes: 580, flushMs: 160 }, 100))
      .toEqual({ writesPerOp: 8, flushesPerOp: 2.8, msPerFlush: 0.25 })
    // No flush in the interval (or no operation): nothing to say.
    expect(diskPerOp({ writes: 0, flushes: 5, flushMs: 1 }, { writes: 9, flushes: 5, flushMs: 1 }, 10)).toBeUndefined()
    expect(diskPerOp({ writes: 0, flushes: 0, flushMs: 0 }, { writes: 9, flushes: 5, flushMs: 1 }, 0)).toBeUndefined()
  })
})
