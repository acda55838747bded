#!/usr/bin/env node
// The `raftkv` command: runs the TypeScript sources of raftkv/cli through tsx.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../raftkv/cli/main.ts')
process.exitCode = await main(process.argv)
