// `npm run build:node`: compiles raftkv/ and main/ into out/node/ with tsc, then copies
// the generated protobuf module (plain JS, which tsc does not emit) next to its importers.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const root = join(dirname(new URL(import.meta.url).pathname), '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root })
const outGen = join(root, 'out', 'node', 'proto', 'generated')
mkdirSync(outGen, { recursive: true })
copyFileSync(join(root, 'proto', 'generated', 'protos.js'), join(outGen, 'protos.js'))
