// Deletes raft log keys below the truncated index in the background: one RocksDB
// DeleteRange per round, never one key at a time. Keys at or below a truncated index
// are never written again, so a late round can only remove garbage.
import type { Engine } from './engine.js'
import { raftLogRange } from './keys.js'

export class LogGc {
  /** Log keys below this index are deleted (or being deleted). */
  private deletedBelow = 0
  private wanted = 0
  private running: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly engine: Engine,
    private readonly regionId: number,
    private readonly onDone: (deletedBelow: number) => void = () => {},
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Schedules deletion of every log key with index <= truncatedIndex. */
  schedule(truncatedIndex: number): void {
    this.wanted = Math.max(this.wanted, truncatedIndex + 1)
    if (this.running || this.stopped || this.wanted <= this.deletedBelow) return
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run())
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && this.wanted > this.deletedBelow) {
        const hi = this.wanted
        const range = raftLogRange(this.regionId, this.deletedBelow, hi)
        await this.engine.deleteRange(range.start, range.end)
        this.deletedBelow = hi
        this.onDone(hi)
      }
    } catch (e) {
      this.onError(e as Error)
    } finally {
      this.running = undefined
    }
  }

  /** Resolves once the scheduled deletions are done. */
  async flush(): Promise<void> {
    while (this.running) await this.running
  }

  /** Stops scheduling; waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.flush()
  }
}
