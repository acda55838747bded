// Capped exponential backoff with full jitter (the delay is uniform in
// [0, min(cap, base * 2^attempt)]), so that many clients do not retry in step.
// Not shared with raftkv/transport's Backoff (equal jitter, a redialing link's state): the
// client depends on proto only, and the two want different delays (see that file).

export interface BackoffOptions {
  baseMs: number
  capMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 10, capMs: 250 }

export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/** Resolves after ms (at once for ms <= 0). */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve) => setTimeout(resolve, ms))
}
