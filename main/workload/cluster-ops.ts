// What a checked workload needs of a cluster: a way in for its clients and the
// operations its nemesis uses. The Supervisor's facade provides it; the tests can
// put any cluster behind it.
import type { ControlMethods } from '../control/types.js'

export interface ClientConnection {
  endpoints: string[]
  token: string
}

export type NemesisOps = Pick<ControlMethods, 'status' | 'kill' | 'start' | 'pause' | 'resume' | 'partition' | 'isolate' | 'heal'>

export interface WorkloadCluster extends NemesisOps {
  /** Where the workload's clients connect (the cluster's own token: it never leaves main/). */
  connection(): ClientConnection
}
