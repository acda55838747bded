// No runtime import cycle anywhere in the repository: a cycle makes module load order
// decide whether a binding is initialised, and ties packages that should stay apart.
import { describe, expect, it } from 'vitest'
import { resolve } from 'node:path'
import { buildImportGraph, findCycles, runtimeImports } from './import-graph.js'

const repo = resolve(import.meta.dirname, '..', '..')
const ROOTS = ['raftkv', 'main', 'electron', 'renderer', 'test', 'bench', 'scripts']

describe('import cycles', () => {
  it('finds none among the runtime imports of the repository', () => {
    const graph = buildImportGraph(repo, ROOTS)
    expect(graph.size).toBeGreaterThan(100)
    expect(graph.get('raftkv/server/node.ts')).toContain('raftkv/server/raft-driver.ts')
    expect(findCycles(graph)).toEqual([])
  })

  it('reports a cycle through any number of modules, and a self-import', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts', 'd.ts']], ['d.ts', []],
      ['e.ts', ['e.ts']], ['f.ts', ['d.ts']],
    ])
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']])
  })

  it('counts value imports and re-exports, not the type-only ones that compilation erases', () => {
    const specs = runtimeImports('x.ts', [
      "import type { A } from './type-only.js'",
      "import { type B, type C } from './all-types.js'",
      "import { type D, e } from './mixed.js'",
      "import './side-effect.js'",
      "export type { F } from './type-reexport.js'",
      "export * from './star.js'",
      "export { g } from './named.js'",
      "const lazy = () => import('./dynamic.js')",
    ].join('\n'))
    expect(specs).toEqual(['./mixed.js', './side-effect.js', './star.js', './named.js'])
  })
})
