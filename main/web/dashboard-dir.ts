// Where the built dashboard is (electron-vite's out/renderer), found from this module
// upwards: the sources (main/web) and the build (out/node/main/web) both sit under the
// repository root. Undefined when it is not built.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

export function builtDashboardDir(): string | undefined {
  for (let dir = import.meta.dirname, i = 0; i < 6; dir = dirname(dir), i++) {
    const candidate = join(dir, 'out', 'renderer')
    if (existsSync(join(candidate, 'index.html'))) return candidate
  }
  return undefined
}
