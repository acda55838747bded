// The disks' own counters (/proc/diskstats, Linux), for reading a one-client figure against
// what the disk did meanwhile: on this machine a cache flush took 0.11-0.78 ms within
// minutes, and one-client puts, which wait for about two flushes in series, moved with it.

export interface DiskCounters {
  writes: number
  /** Cache flush requests completed, and the time spent on them (kernel 5.5 and later). */
  flushes: number
  flushMs: number
}

/** Whole disks only (partitions and device-mapper devices would count the same I/O twice). */
function isWholeDisk(name: string, wholeDisks: ReadonlySet<string>): boolean {
  return wholeDisks.has(name) && !/^(loop|ram|zram|dm-|md)/.test(name)
}

/** Sums the counters of the whole disks in a /proc/diskstats text. */
export function parseDiskStats(text: string, wholeDisks: ReadonlySet<string>): DiskCounters {
  const sum: DiskCounters = { writes: 0, flushes: 0, flushMs: 0 }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 20 || !isWholeDisk(f[2]!, wholeDisks)) continue
    sum.writes += Number(f[7])
    sum.flushes += Number(f[18])
    sum.flushMs += Number(f[19])
  }
  return sum
}

/** Per operation over an interval: device writes and flushes, and the mean time of one flush. */
export interface DiskPerOp {
  writesPerOp: number
  flushesPerOp: number
  msPerFlush: number
}

export function diskPerOp(before: DiskCounters, after: DiskCounters, ops: number): DiskPerOp | undefined {
  const flushes = after.flushes - before.flushes
  if (ops <= 0 || flushes <= 0) return undefined
  return {
    writesPerOp: +((after.writes - before.writes) / ops).toFixed(2),
    flushesPerOp: +(flushes / ops).toFixed(2),
    msPerFlush: +((after.flushMs - before.flushMs) / flushes).toFixed(3),
  }
}
