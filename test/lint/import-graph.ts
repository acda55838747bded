// The runtime import graph of the repository's TypeScript, and its cycles.
// An edge is an import that survives compilation: `import type`, `export type` and imports
// whose every binding is `type` are left out (they are erased); side-effect imports and
// `export … from` re-exports count. Dynamic import() is not a load-time edge and is ignored.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export type ImportGraph = Map<string, string[]>

/** The specifiers a module imports at run time. */
export function runtimeImports(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const out: string[] = []
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const clause = st.importClause
      if (clause?.isTypeOnly) continue
      const named = clause?.namedBindings
      const onlyTypes = clause !== undefined && clause.name === undefined && named !== undefined &&
        ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)
      if (!onlyTypes) out.push(st.moduleSpecifier.text)
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      if (st.isTypeOnly) continue
      const clause = st.exportClause
      const onlyTypes = clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)
      if (!onlyTypes) out.push(st.moduleSpecifier.text)
    }
  }
  return out
}

/** The file a relative specifier names (`./x.js` is `./x.ts`; a folder is its index.ts), if it exists. */
export function resolveSpecifier(fromFile: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined
  const base = resolve(dirname(fromFile), spec)
  const stem = base.replace(/\.(m?js|ts)$/, '')
  for (const candidate of [`${stem}.ts`, `${stem}.d.ts`, base, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return undefined
}

const SKIP = new Set(['node_modules', 'out', 'dist', 'coverage', '.scratch', '.git', '.test-results'])

function tsFiles(dir: string, acc: string[] = []): string[] {
  if (!existsSync(dir)) return acc
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) tsFiles(path, acc)
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) acc.push(path)
  }
  return acc
}

/** The runtime import graph of every .ts file under `roots` (paths relative to `repo`). */
export function buildImportGraph(repo: string, roots: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map()
  for (const file of roots.flatMap((r) => tsFiles(join(repo, r)))) {
    const deps = runtimeImports(file, readFileSync(file, 'utf8'))
      .map((spec) => resolveSpecifier(file, spec))
      .filter((p): p is string => p !== undefined && !p.endsWith('.d.ts'))
      .map((p) => relative(repo, p))
    graph.set(relative(repo, file), [...new Set(deps)])
  }
  return graph
}

/** Every cycle's modules (strongly connected components of more than one module, or a self-import). */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative so that a deep graph cannot overflow the stack.
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const cycles: string[][] = []
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }]
    index.set(start, next); low.set(start, next++); stack.push(start); onStack.add(start)
    while (work.length > 0) {
      const top = work[work.length - 1]!
      const deps = graph.get(top.node) ?? []
      if (top.i < deps.length) {
        const dep = deps[top.i++]!
        if (!index.has(dep)) {
          index.set(dep, next); low.set(dep, next++); stack.push(dep); onStack.add(dep)
          work.push({ node: dep, i: 0 })
        } else if (onStack.has(dep)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(dep)!))
        }
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!))
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = []
        let m: string
        do {
          m = stack.pop()!
          onStack.delete(m)
          component.push(m)
        } while (m !== top.node)
        if (component.length > 1 || deps.includes(top.node)) cycles.push(component.sort())
      }
    }
  }
  return cycles
}
