// Versions for the bundle's manifest: the manager's (its package.json, found from this
// module upwards: the sources, out/node and a packaged app all have it above them) and
// the runtime's.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let cached: string | undefined

export function managerVersion(): string {
  if (cached !== undefined) return cached
  cached = 'unknown'
  for (let dir = import.meta.dirname, i = 0; i < 6; dir = dirname(dir), i++) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown }
      if (pkg.name === 'raftkv-manager' && typeof pkg.version === 'string') {
        cached = pkg.version
        break
      }
    } catch {
      // not ours: keep looking
    }
  }
  return cached
}

export function runtimeVersions(): Record<string, string> {
  return { manager: managerVersion(), node: process.version, platform: `${process.platform}-${process.arch}`, ...(process.versions.electron === undefined ? {} : { electron: process.versions.electron }) }
}
