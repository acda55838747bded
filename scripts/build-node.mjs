// `npm run build:node`: compiles raftkv/ and main/ into out/node/ with tsc, copies the
// generated protobuf module (plain JS, which tsc does not emit) next to its importers,
// then bundles the node process's entry into one file, out/node/raftkv-node.cjs.
//
// Why a bundle: loading the entry as ~150 ESM files plus their packages spent most of a
// node's start-up in Node's module loader (resolving, reading and linking each file);
// one CommonJS file is read and compiled once. Only RocksDB's binding.js stays outside
// (it finds the prebuilt addon from its own folder) with ws's optional native helpers;
// they are required from node_modules.
// Whitespace and comments are dropped (names are kept, stacks map back through the
// .map with `node --enable-source-maps`): the file is pure ASCII, so V8 holds its source
// as a one-byte string (a single non-ASCII character in a comment makes the whole
// source two-byte: twice the heap, slower to decode and scan).
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'

const root = join(dirname(new URL(import.meta.url).pathname), '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root })
const outGen = join(root, 'out', 'node', 'proto', 'generated')
mkdirSync(outGen, { recursive: true })
copyFileSync(join(root, 'proto', 'generated', 'protos.js'), join(outGen, 'protos.js'))

/** ws's optional native helpers: loaded from node_modules at run time when installed. */
const NATIVE = ['bufferutil', 'utf-8-validate']
const ROCKSDB_DIR = join(root, 'node_modules', '@nxtedition', 'rocksdb')

/**
 * RocksDB's JavaScript (the binding's wrapper, abstract-level and its helpers) is bundled;
 * only its binding.js stays outside: it finds the prebuilt addon from its own directory.
 * Resolving and compiling those ~20 files one by one took ~10-15 ms of each start.
 */
const rocksdbBindingOutside = {
  name: 'rocksdb-binding-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/binding(\.js)?$/ }, (args) =>
      args.importer.startsWith(ROCKSDB_DIR) ? { path: '@nxtedition/rocksdb/binding.js', external: true } : undefined)
  },
}

/**
 * Built-ins that a package in the node requires at load time but a node never uses: ws's
 * `tls` and `https` (for wss:// clients; nodes speak ws:// only). Each becomes a stand-in
 * that requires the real module on first use. With V8 flags on the command line, Node
 * compiles its own modules from source (its code cache no longer matches the flags):
 * these two cost ~3.4 ms of every start. (commander's `child_process` would be another,
 * but Node itself loads it when the server starts listening.)
 */
const LAZY_NAMES = ['tls', 'https']
const LAZY_BUILTINS = new RegExp(`^(?:node:)?(${LAZY_NAMES.join('|')})$`)
const LAZY_MODULE = join(root, 'out', 'node', 'raftkv', 'server', 'lazy-module.js')
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    // The stand-in's own require is the real built-in.
    b.onResolve({ filter: LAZY_BUILTINS }, (args) => args.namespace === 'lazy-builtin'
      ? { path: args.path, external: true }
      : { path: LAZY_BUILTINS.exec(args.path)[1], namespace: 'lazy-builtin' })
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      resolveDir: root,
      contents: `module.exports = require(${JSON.stringify(LAZY_MODULE)}).lazyModule(() => require('node:${args.path}'))\n`,
    }))
  },
}

await build({
  entryPoints: [join(root, 'out', 'node', 'raftkv', 'server', 'main.js')],
  outfile: join(root, 'out', 'node', 'raftkv-node.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: NATIVE,
  plugins: [rocksdbBindingOutside, lazyBuiltins],
  // ws's optional native helpers are neither installed nor shipped: skip the two failing
  // lookups through node_modules at every start (ws reads these variables).
  define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
  minifyWhitespace: true,
  // Maps back to the TypeScript sources through tsc's maps (not shipped, not loaded at start).
  sourcemap: true,
  logLevel: 'warning',
})
const bundle = readFileSync(join(root, 'out', 'node', 'raftkv-node.cjs'))
const nonAscii = bundle.findIndex((b) => b > 0x7f)
if (nonAscii >= 0) throw new Error(`out/node/raftkv-node.cjs is not pure ASCII (byte ${nonAscii}): see the comment in scripts/build-node.mjs`)
// Each stand-in must require the real built-in (not itself: that would recurse on first use).
for (const name of LAZY_NAMES) {
  if (!bundle.includes(`require("node:${name}")`)) throw new Error(`out/node/raftkv-node.cjs: the stand-in for ${name} does not require node:${name}`)
}
