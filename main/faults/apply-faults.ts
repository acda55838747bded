// Carries a FaultState out: each node named gets its filters through its own /admin.
import { AdminClient, ClientError } from '../../raftkv/client/index.js'
import { ControlError } from '../control/errors.js'
import { faultsFor, type FaultState } from './fault-plan.js'

export interface FaultTarget {
  id: number
  addr: string
}

/** Sets every target's filters (all members' ids are needed to compute blocked peers). */
export async function applyFaults(targets: readonly FaultTarget[], members: readonly number[], state: FaultState, token: string): Promise<void> {
  const failures: string[] = []
  await Promise.all(targets.map(async (t) => {
    const admin = new AdminClient({ endpoint: t.addr, token, timeoutMs: 3000 })
    try {
      await admin.setFaults(faultsFor(t.id, members, state))
    } catch (e) {
      if (!(e instanceof ClientError)) throw e
      failures.push(`node ${t.id}: ${e.code}: ${e.message}`)
    } finally {
      await admin.close()
    }
  }))
  if (failures.length > 0) throw new ControlError('TIMEOUT', `fault filters not set on every node: ${failures.join('; ')}`)
}
