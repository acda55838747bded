// The nemesis of a checked workload: each step starts a fault every `everyMs` and
// undoes it `forMs` later (kill → start, pause → resume, partition / isolate → heal).
// One fault is in effect at a time: a beat that comes while another fault holds is
// skipped. (So the cluster keeps a majority between faults, and no heal has to reach
// a paused node.) All its cluster calls run one at a time, in order; a call that fails
// (say the node crashed meanwhile) is reported and the schedule goes on.
import { ControlError } from '../control/errors.js'
import type { NemesisKind, NemesisStep } from '../control/types.js'
import type { NemesisOps } from './cluster-ops.js'

export interface NemesisReport {
  kind: NemesisKind
  phase: 'inject' | 'undo'
  /** The nodes it hit (for a partition: the minority side). */
  nodes: number[]
  /** Set when the call failed or there was nothing to hit. */
  error?: string
}

export interface NemesisOptions {
  random?: () => number
  onReport?: (report: NemesisReport) => void
}

interface Active {
  kind: NemesisKind
  nodes: number[]
}

export class Nemesis {
  private readonly timers: NodeJS.Timeout[] = []
  private readonly active = new Set<Active>()
  /** A beat is taken (injecting, in effect or being undone). */
  private busy = false
  private queue: Promise<void> = Promise.resolve()
  private stopped = false
  private readonly random: () => number
  private readonly onReport: (report: NemesisReport) => void

  constructor(private readonly cluster: NemesisOps, private readonly steps: readonly NemesisStep[], options: NemesisOptions = {}) {
    this.random = options.random ?? Math.random
    this.onReport = options.onReport ?? (() => {})
  }

  start(): void {
    for (const step of this.steps) this.timers.push(setInterval(() => this.tick(step), step.everyMs))
  }

  /** Cancels the schedule and undoes every fault still in effect. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) {
      clearInterval(t)
      clearTimeout(t)
    }
    await this.enqueue(async () => {
      for (const fault of [...this.active]) await this.undo(fault)
    })
  }

  private tick(step: NemesisStep): void {
    if (this.stopped || this.busy) return
    this.busy = true
    void this.enqueue(async () => {
      const fault = await this.inject(step.kind)
      if (fault === undefined || this.stopped) {
        this.busy = false
        return
      }
      const timer = setTimeout(() => {
        void this.enqueue(async () => {
          if (this.active.has(fault)) await this.undo(fault)
          this.busy = false
        })
      }, step.forMs)
      this.timers.push(timer)
    })
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task, task)
    return this.queue
  }

  private async inject(kind: NemesisKind): Promise<Active | undefined> {
    const nodes = await this.targets(kind)
    if (nodes.length === 0) {
      this.onReport({ kind, phase: 'inject', nodes, error: 'no node to fault' })
      return undefined
    }
    try {
      if (kind === 'kill') await this.cluster.kill({ id: nodes[0]! })
      else if (kind === 'pause') await this.cluster.pause({ id: nodes[0]! })
      else if (kind === 'isolate-leader') await this.cluster.isolate({ id: nodes[0]! })
      else {
        const all = (await this.cluster.status()).nodes.map((n) => n.id)
        await this.cluster.partition({ groups: [nodes, all.filter((id) => !nodes.includes(id))] })
      }
    } catch (err) {
      this.onReport({ kind, phase: 'inject', nodes, error: message(err) })
      return undefined
    }
    const fault = { kind, nodes }
    this.active.add(fault)
    this.onReport({ kind, phase: 'inject', nodes })
    return fault
  }

  private async undo(fault: Active): Promise<void> {
    this.active.delete(fault)
    const id = fault.nodes[0]!
    try {
      if (fault.kind === 'kill') await this.cluster.start({ id })
      else if (fault.kind === 'pause') await this.cluster.resume({ id })
      else await this.cluster.heal()
      this.onReport({ kind: fault.kind, phase: 'undo', nodes: fault.nodes })
    } catch (err) {
      this.onReport({ kind: fault.kind, phase: 'undo', nodes: fault.nodes, error: message(err) })
    }
  }

  /** Whom to hit: a random running node, the leader, or a random minority. */
  private async targets(kind: NemesisKind): Promise<number[]> {
    const view = await this.cluster.status()
    if (kind === 'isolate-leader') return view.leader !== 0 ? [view.leader] : []
    const candidates = view.nodes.filter((n) => n.process.state === 'running' || n.process.state === 'external').map((n) => n.id)
    if (kind === 'kill' || kind === 'pause') return candidates.length === 0 ? [] : [candidates[Math.floor(this.random() * candidates.length)]!]
    const minority = Math.max(1, Math.floor((view.nodes.length - 1) / 2))
    const shuffled = [...candidates]
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
    }
    return shuffled.slice(0, Math.min(minority, shuffled.length)).sort((a, b) => a - b)
  }
}

function message(err: unknown): string {
  return err instanceof ControlError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err)
}
