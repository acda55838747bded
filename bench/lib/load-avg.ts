// The machine's load average (1, 5, 15 min): benchmarks on a shared machine print it beside their figures.
import { loadavg } from 'node:os'

export const loadAvg = (): number[] => loadavg().map((x) => +x.toFixed(1))
