// The control API the shell drives. TEMPORARY: the Supervisor facade
// (main/control/controller.ts, helper "sup") is not on main yet; until it is, every call
// answers NOT_SUPPORTED so that the shell builds and its IPC is testable.
import { ControlError } from '../main/control/errors.js'
import { CONTROL_METHODS } from '../main/control/methods.js'
import type { ControlApi } from '../main/control/types.js'
import type { NodeLaunch } from './node-launch.js'

export interface ControlOptions {
  launch: NodeLaunch
  /** Parent of the clusters' data folders. */
  dataRoot: string
}

export function createControl(_opts: ControlOptions): ControlApi {
  const unavailable = async (): Promise<never> => {
    throw new ControlError('NOT_SUPPORTED', 'the Supervisor is not part of this build yet')
  }
  const methods = Object.fromEntries(CONTROL_METHODS.map((m) => [m, unavailable])) as unknown as ControlApi
  return { ...methods, subscribe: () => () => undefined }
}
