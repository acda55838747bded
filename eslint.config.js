// Lint: TypeScript rules plus the layering of ARCHITECTURE.md, enforced per package.
//
// Arrows point one way: raft ← storage ← server → transport; client → proto (and check's
// types); check → nothing; cli → server, client, main; main → proto, client, check;
// electron → main; renderer → main/control/types.ts only, and no Node module.
// Another package is reached only through its index.ts (proto through its generated module;
// renderer and electron take the control API's types from main/control/types.ts).
// Patterns are `**` globs over the import specifier, so they hold at any folder depth and
// apply to a package's folders (main/, electron/, renderer/, raftkv/check/) as they appear.
// Test files (*.test.ts) wire packages together and are exempt; `testing/` helpers are not.
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'http', 'https', 'child_process', 'crypto', 'timers', 'timers/*', 'worker_threads', 'events', 'stream', 'stream/*', 'url', 'util', 'zlib', 'buffer', 'process']
const ioLibraries = ['ws', '@nxtedition/rocksdb', 'pino', 'commander', 'tar', 'json-rpc-2.0']
const managerLibraries = ['electron', 'electron/*', 'vue', 'pinia', 'uplot']

/**
 * Each package: its folder, and what it may import of other packages — by default only
 * their index.ts (proto: its generated module); a list names the only files allowed instead.
 */
const PACKAGES = {
  raft: { dir: 'raftkv/raft', uses: { proto: true } },
  storage: { dir: 'raftkv/storage', uses: { raft: true, proto: true } },
  transport: { dir: 'raftkv/transport', uses: { proto: true } },
  server: { dir: 'raftkv/server', uses: { raft: true, storage: true, transport: true, proto: true } },
  // client re-exports the checker's HistoryEvent type: a type shared across a boundary lives below.
  client: { dir: 'raftkv/client', uses: { proto: true, check: true } },
  check: { dir: 'raftkv/check', uses: {} },
  cli: { dir: 'raftkv/cli', uses: { server: true, client: true, main: true } },
  // status-types.ts is client's types-only module: the control API types (and so the renderer) use it.
  main: { dir: 'main', uses: { proto: true, client: ['index', 'status-types'], check: true } },
  // The preload is bundled alone for a sandboxed renderer: it takes main/control's small
  // runtime modules (method list, error class, argument checks), never the Supervisor's index.
  electron: { dir: 'electron', uses: { main: ['index', 'control/types', 'control/methods', 'control/errors', 'control/validate'] } },
  renderer: { dir: 'renderer', uses: { main: ['control/types'] } },
}
const PACKAGE_NAMES = [...Object.keys(PACKAGES), 'proto']
const PURE = new Set(['raft', 'check', 'renderer'])

/** Specifiers that reach into package `other` anywhere but the files allowed. */
function deepImports(other, allowed) {
  const files = Array.isArray(allowed) ? allowed : [other === 'proto' ? 'generated/protos' : 'index']
  // gitignore semantics: a file is re-included only if its folder is not excluded itself.
  const folders = files.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/')))
  return [`**/${other}/**`, ...[...new Set(folders)].map((d) => `!**/${other}/${d}`), ...files.flatMap((f) => [`!**/${other}/${f}`, `!**/${other}/${f}.js`])]
}

/** The no-restricted-imports patterns of one package (one list: a later config object would replace it). */
function layerPatterns(name, { pure = PURE.has(name) } = {}) {
  const { uses } = PACKAGES[name]
  const patterns = []
  for (const other of PACKAGE_NAMES) {
    if (other === name) continue
    if (uses[other]) {
      const through = Array.isArray(uses[other]) ? uses[other].map((f) => `${other}/${f}.ts`).join(', ') : `its ${other === 'proto' ? 'generated module' : 'index.ts'}`
      patterns.push({ group: deepImports(other, uses[other]), message: `${name} reaches ${other} only through ${through}.` })
    } else {
      patterns.push({ group: [`**/${other}/**`, `**/${other}`], message: `${name} never imports ${other} (ARCHITECTURE.md: layout and dependency rules).` })
    }
  }
  if (pure) patterns.push({ group: nodeBuiltins, message: `${name} imports no Node module.` })
  if (name === 'raft' || name === 'check') patterns.push({ group: ioLibraries, message: `${name} is pure: no I/O libraries.` })
  if (name === 'renderer') patterns.push({ group: ['electron', 'electron/*', ...ioLibraries], message: 'renderer reaches the world only through the control API.' })
  if (name === 'main') patterns.push({ group: ['electron', 'electron/*'], message: 'main/ runs headless too: never import electron.' })
  if (PACKAGES[name].dir.startsWith('raftkv/')) patterns.push({ group: managerLibraries, message: 'raftkv/ is the store: it never imports the manager.' })
  return patterns
}

function layer(name, { exempt = [], pure } = {}) {
  const { dir } = PACKAGES[name]
  return {
    files: [`${dir}/**/*.ts`],
    ignores: [`${dir}/**/*.test.ts`, ...exempt],
    rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns(name, { pure }) }] },
  }
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.scratch/**', 'out/**', 'dist/**', 'proto/generated/**', 'bench/results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...Object.keys(PACKAGES).filter((n) => n !== 'raft').map((n) => layer(n)),
  // raftkv/raft/testing (simulated clusters for the raft tests) may not reach other packages,
  // but is not held to raft's purity (it may print, for instance).
  { ...layer('raft', { pure: false }), files: ['raftkv/raft/testing/**/*.ts'] },
  {
    // raftkv/raft is pure: no I/O, no timers, no clock, no randomness, nothing else from raftkv/.
    ...layer('raft', { exempt: ['raftkv/raft/testing/**'] }),
    rules: {
      ...layer('raft').rules,
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'raftkv/raft has no timers: time enters through tick().' },
        { name: 'setInterval', message: 'raftkv/raft has no timers: time enters through tick().' },
        { name: 'setImmediate', message: 'raftkv/raft has no timers.' },
        { name: 'queueMicrotask', message: 'raftkv/raft has no timers.' },
        { name: 'Date', message: 'raftkv/raft has no clock.' },
        { name: 'performance', message: 'raftkv/raft has no clock.' },
        { name: 'process', message: 'raftkv/raft has no process access.' },
        { name: 'require', message: 'raftkv/raft is pure.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'raftkv/raft takes randomness from Config.rand.' },
      ],
    },
  },
)
