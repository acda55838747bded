// Argument checks of startWorkload: a bad spec is a BAD_ARGUMENT and starts nothing.
import { ControlError } from '../control/errors.js'
import type { NemesisKind, NemesisStep, WorkloadSpec } from '../control/types.js'

const KINDS: ReadonlySet<string> = new Set<NemesisKind>(['kill', 'pause', 'partition', 'isolate-leader'])
export const MAX_CLIENTS = 256
export const MAX_DURATION_MS = 3_600_000
export const MAX_KEYS = 1_000_000

function bad(message: string): never {
  throw new ControlError('BAD_ARGUMENT', message)
}

function integerIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad(`${name} must be an integer in ${min}..${max}`)
  return value
}

export function validateWorkloadSpec(raw: unknown): WorkloadSpec {
  if (typeof raw !== 'object' || raw === null) bad('the workload spec must be an object')
  const o = raw as Record<string, unknown>
  const clients = integerIn(o.clients, 'clients', 1, MAX_CLIENTS)
  const durationMs = integerIn(o.durationMs, 'durationMs', 1, MAX_DURATION_MS)
  const keys = integerIn(o.keys, 'keys', 1, MAX_KEYS)
  const getRatio = o.getRatio
  if (typeof getRatio !== 'number' || !(getRatio >= 0 && getRatio <= 1)) bad('getRatio must be a number in [0, 1]')
  const spec: WorkloadSpec = { clients, durationMs, keys, getRatio }
  if (o.nemesis !== undefined) {
    if (!Array.isArray(o.nemesis)) bad('nemesis must be an array of steps')
    spec.nemesis = o.nemesis.map((step: unknown, i: number) => nemesisStep(step, i))
  }
  return spec
}

function nemesisStep(raw: unknown, i: number): NemesisStep {
  if (typeof raw !== 'object' || raw === null) bad(`nemesis[${i}] must be an object`)
  const o = raw as Record<string, unknown>
  if (typeof o.kind !== 'string' || !KINDS.has(o.kind)) bad(`nemesis[${i}].kind must be one of ${[...KINDS].join(', ')}`)
  const everyMs = integerIn(o.everyMs, `nemesis[${i}].everyMs`, 100, MAX_DURATION_MS)
  const forMs = integerIn(o.forMs, `nemesis[${i}].forMs`, 1, MAX_DURATION_MS)
  return { kind: o.kind as NemesisKind, everyMs, forMs }
}
