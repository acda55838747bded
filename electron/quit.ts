// Graceful quit: while a local cluster has nodes up, ask first; then stop every node
// before the app exits. An attached cluster is only detached (its nodes are not ours).
// Every path that ends the app goes through prepare(): the menu's Quit, closing the last
// window, Cmd+Q, and SIGINT/SIGTERM (which do not ask).
import { ControlError } from '../main/control/errors.js'
import type { ClusterView, ControlApi } from '../main/control/types.js'
import type { StopAnswer } from './dialogs.js'

export interface QuitDeps {
  api: Pick<ControlApi, 'status' | 'shutdown' | 'detach'>
  ask(running: number): Promise<StopAnswer>
  /** Export before stopping; false when the user cancelled or it failed (then do not quit). */
  exportFirst(): Promise<boolean>
  onError(title: string, err: unknown): void
}

/** Nodes of a local cluster whose process is up (a paused one too: it still holds its port and data). */
export function runningNodes(view: ClusterView): number {
  if (view.mode !== 'local') return 0
  return view.nodes.filter((n) => n.process.state === 'starting' || n.process.state === 'running' || n.process.state === 'paused').length
}

export class QuitGuard {
  private phase: 'open' | 'busy' | 'done' = 'open'

  constructor(private readonly deps: QuitDeps) {}

  /** True once the cluster is stopped or detached: the app may exit now. */
  get done(): boolean {
    return this.phase === 'done'
  }

  /**
   * Gets the app ready to exit. `ask: false` (a signal) stops without asking.
   * Resolves true when the app may exit, false when the user chose to stay (or a quit is already under way).
   */
  async prepare(ask = true): Promise<boolean> {
    if (this.phase === 'done') return true
    if (this.phase === 'busy') return false
    this.phase = 'busy'
    try {
      const view = await this.deps.api.status()
      const running = runningNodes(view)
      if (running > 0 && ask) {
        const answer = await this.deps.ask(running)
        if (answer === 'cancel' || (answer === 'export-then-stop' && !(await this.deps.exportFirst()))) {
          this.phase = 'open'
          return false
        }
      }
      await this.stop(view)
    } catch (err) {
      // status() itself failed: still try to stop whatever runs, and exit.
      this.deps.onError('Could not read the cluster state', err)
      await this.stop(null)
    }
    this.phase = 'done'
    return true
  }

  private async stop(view: ClusterView | null): Promise<void> {
    try {
      if (view?.mode === 'attached') await this.deps.api.detach()
      else if (view === null || view.mode === 'local') await this.deps.api.shutdown()
    } catch (err) {
      if (err instanceof ControlError && err.code === 'NO_CLUSTER') return
      this.deps.onError('Some nodes could not be stopped', err)
    }
  }
}
