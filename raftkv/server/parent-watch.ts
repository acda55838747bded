// The node's parent watchdog: a node started by the Supervisor (or `raftkv node &` from a
// shell, or through npx) must not outlive its parent, even when the parent dies by
// SIGKILL and cannot signal anyone. Linux reparents an orphan, so a change in the chain
// of parents means one of them is gone. The chain is followed two levels up, because a
// wrapper may stand between the node and the process that started it (npx runs
// `sh -c raftkv ...`: killing npx leaves the shell, whose own parent then changes).
// --parent-pid names one more process that must stay alive.
import { readFileSync } from 'node:fs'

export interface ParentWatchOptions {
  /** A pid that must stay alive (besides the parents not changing). */
  parentPid?: number
  /** How many levels of parents to watch (default 2). */
  depth?: number
  /** How often to look (default 200 ms: well inside the 2 s a node has to exit). */
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

/** The parent of `pid` from /proc (Linux); undefined when it cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return Number.isSafeInteger(ppid) ? ppid : undefined
  } catch {
    return undefined
  }
}

/** This process's parents, nearest first, up to `depth` of them, stopping at init. */
export function parentChain(depth: number): number[] {
  const chain: number[] = []
  let pid = process.ppid
  while (chain.length < depth && pid > 1) {
    chain.push(pid)
    const next = parentOf(pid)
    if (next === undefined) break
    pid = next
  }
  return chain
}

/** Starts watching; returns the function that stops it. Started by init with no parentPid, it watches nothing. */
export function watchParent(opts: ParentWatchOptions): () => void {
  const depth = opts.depth ?? 2
  const initial = parentChain(depth)
  if (initial.length === 0 && opts.parentPid === undefined) return () => {}
  const timer = setInterval(() => {
    let why: string | undefined
    const now = parentChain(initial.length)
    const changed = initial.findIndex((pid, i) => now[i] !== pid)
    if (changed >= 0) why = `parent process ${initial[changed]} exited`
    else if (opts.parentPid !== undefined && !alive(opts.parentPid)) why = `parent process ${opts.parentPid} exited`
    if (why === undefined) return
    clearInterval(timer)
    opts.onParentGone(why)
  }, opts.intervalMs ?? 200)
  timer.unref()
  return () => clearInterval(timer)
}
