// Fault periods from the event stream, as Jepsen shades nemesis intervals: one lane per
// fault kind, a band from the event that started a fault to the one that undid it
// (still open at `nowMs` when nothing undid it yet).
import type { ClusterEvent } from '../../main/control/types'

export type FaultLane = 'kill' | 'pause' | 'partition' | 'link faults'

export const FAULT_LANES: readonly FaultLane[] = ['kill', 'pause', 'partition', 'link faults']

export interface FaultBand {
  lane: FaultLane
  fromMs: number
  /** null: still in effect. */
  toMs: number | null
  /** What the band is about, e.g. "node 2" or "{1} | {2, 3}". */
  label: string
}

const nodeLabel = (e: ClusterEvent) => (e.node === undefined ? 'a node' : `node ${e.node}`)

function partitionLabel(e: ClusterEvent): string {
  const groups = e.detail.groups
  if (Array.isArray(groups) && groups.every((g) => Array.isArray(g))) return (groups as number[][]).map((g) => `{${g.join(', ')}}`).join(' | ')
  return e.node === undefined ? 'partition' : `node ${e.node} isolated`
}

/** Whether a node-exited event was a crash or a kill rather than an asked-for stop. */
function unexpectedExit(e: ClusterEvent): boolean {
  return e.kind === 'node-exited' && e.detail.expected === false
}

export function faultBands(events: readonly ClusterEvent[]): FaultBand[] {
  const bands: FaultBand[] = []
  /** Open bands per node: kill/crash/stop until the node is back, pause until resume. */
  const down = new Map<number, FaultBand>()
  const paused = new Map<number, FaultBand>()
  let partition: FaultBand | null = null
  let links: FaultBand | null = null
  const open = (b: FaultBand): FaultBand => (bands.push(b), b)
  const close = (b: FaultBand | null | undefined, at: number): void => {
    if (b && b.toMs === null) b.toMs = at
  }

  for (const e of events) {
    const id = e.node
    switch (e.kind) {
      case 'node-killed':
      case 'node-stopped':
      case 'node-exited':
        if (id === undefined || down.has(id)) break
        if (e.kind === 'node-exited' && !unexpectedExit(e)) break
        down.set(id, open({ lane: 'kill', fromMs: e.timeMs, toMs: null, label: `${nodeLabel(e)} ${e.kind === 'node-stopped' ? 'stopped' : e.kind === 'node-killed' ? 'killed' : 'crashed'}` }))
        break
      // Back once it says ready (a start that never gets there stays a fault).
      case 'node-ready':
        if (id !== undefined) {
          close(down.get(id), e.timeMs)
          down.delete(id)
        }
        break
      case 'node-paused':
        if (id !== undefined && !paused.has(id)) paused.set(id, open({ lane: 'pause', fromMs: e.timeMs, toMs: null, label: `${nodeLabel(e)} paused` }))
        break
      case 'node-resumed':
        if (id !== undefined) {
          close(paused.get(id), e.timeMs)
          paused.delete(id)
        }
        break
      case 'partition-set':
        close(partition, e.timeMs)
        partition = open({ lane: 'partition', fromMs: e.timeMs, toMs: null, label: partitionLabel(e) })
        break
      case 'link-faults-set':
        links ??= open({ lane: 'link faults', fromMs: e.timeMs, toMs: null, label: 'lossy or slow links' })
        break
      case 'healed':
        close(partition, e.timeMs)
        close(links, e.timeMs)
        partition = links = null
        break
      case 'cluster-shutdown':
      case 'cluster-launched':
        for (const b of bands) close(b, e.timeMs)
        down.clear()
        paused.clear()
        partition = links = null
        break
      default:
        break
    }
  }
  return bands
}
