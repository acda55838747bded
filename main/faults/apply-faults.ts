// Carries a FaultState out: each node named gets its filters through its own /admin.
import { AdminClient, ClientError, type FaultsInfo } from '../../raftkv/client/index.js'
import { ControlError } from '../control/errors.js'
import { faultsFor, type FaultState } from './fault-plan.js'

export interface FaultTarget {
  id: number
  addr: string
}

/**
 * Sets every target's filters (all members' ids are needed to compute blocked peers);
 * resolves with the filters each node answered are in force.
 */
export async function applyFaults(targets: readonly FaultTarget[], members: readonly number[], state: FaultState, token: string): Promise<Map<number, FaultsInfo>> {
  const failures: string[] = []
  const inForce = new Map<number, FaultsInfo>()
  await Promise.all(targets.map(async (t) => {
    const admin = new AdminClient({ endpoint: t.addr, token, timeoutMs: 3000 })
    try {
      inForce.set(t.id, await admin.setFaults(faultsFor(t.id, members, state)))
    } catch (e) {
      if (!(e instanceof ClientError)) throw e
      failures.push(`node ${t.id}: ${e.code}: ${e.message}`)
    } finally {
      await admin.close()
    }
  }))
  if (failures.length > 0) throw new ControlError('TIMEOUT', `fault filters not set on every node: ${failures.join('; ')}`)
  return inForce
}
