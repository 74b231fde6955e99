#!/usr/bin/env node
// Entry point of the drover CLI. The compile cache goes first: static imports are hoisted,
// so everything heavy is loaded with a dynamic import after it is enabled.
import module from 'node:module'

module.enableCompileCache?.()
const {run} = await import('../dist/bundle/cli.js')
await run(import.meta.url)
