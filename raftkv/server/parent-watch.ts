// The node's parent watchdog: a node started by the Supervisor (or `raftkv node &` from a
// shell, or through npx) must not outlive its parent, even when the parent dies by
// SIGKILL and cannot signal anyone. Linux reparents an orphan, so a change of ppid means
// the parent is gone; --parent-pid names the process to watch when it is not the direct
// parent (a wrapper between them).

export interface ParentWatchOptions {
  /** A pid that must stay alive (besides the ppid not changing). */
  parentPid?: number
  /** How often to look (default 250 ms: well inside the 2 s a node has to exit). */
  intervalMs?: number
  onParentGone: (why: string) => void
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Starts watching; returns the function that stops it. Started with ppid 1 and no parentPid, it watches nothing. */
export function watchParent(opts: ParentWatchOptions): () => void {
  const initialPpid = process.ppid
  const watchPpid = initialPpid > 1
  if (!watchPpid && opts.parentPid === undefined) return () => {}
  const timer = setInterval(() => {
    let why: string | undefined
    if (watchPpid && process.ppid !== initialPpid) why = `parent process ${initialPpid} exited`
    else if (opts.parentPid !== undefined && !alive(opts.parentPid)) why = `parent process ${opts.parentPid} exited`
    if (why === undefined) return
    clearInterval(timer)
    opts.onParentGone(why)
  }, opts.intervalMs ?? 250)
  timer.unref()
  return () => clearInterval(timer)
}
