// Lets one async flow wait for events raised elsewhere (frames, timers) and stop at
// once when the flow fails: every wait and race rejects with the first failure.

type Reject = (err: Error) => void

export class Waker {
  private waiters: { resolve: () => void; reject: Reject }[] = []
  private readonly racers = new Set<Reject>()
  private failure: Error | undefined

  get failed(): Error | undefined {
    return this.failure
  }

  /** Something changed: waiters re-check their conditions. */
  wake(): void {
    const ws = this.waiters
    this.waiters = []
    for (const w of ws) w.resolve()
  }

  /** The first failure wins; later ones are ignored. Returns whether this one won. */
  fail(err: Error): boolean {
    if (this.failure) return false
    this.failure = err
    const ws = this.waiters
    this.waiters = []
    for (const w of ws) w.reject(err)
    for (const r of [...this.racers]) r(err)
    this.racers.clear()
    return true
  }

  wait(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  async until(cond: () => boolean): Promise<void> {
    if (this.failure) throw this.failure
    while (!cond()) await this.wait()
  }

  /** p's outcome, unless the flow fails first. */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<T>((resolve, reject) => {
      this.racers.add(reject)
      p.then(
        (v) => {
          this.racers.delete(reject)
          resolve(v)
        },
        (err: unknown) => {
          this.racers.delete(reject)
          reject(err instanceof Error ? err : new Error(String(err)))
        },
      )
    })
  }

  /** Waits ms, unless the flow fails first. */
  sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    return this.race(new Promise<void>((r) => { timer = setTimeout(r, ms) })).finally(() => clearTimeout(timer))
  }
}
