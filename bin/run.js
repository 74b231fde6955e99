#!/usr/bin/env node
// Entry point of the drover CLI. The compile cache goes first: static imports are hoisted,
// so everything else is loaded with a dynamic import after it is enabled.
import module from 'node:module'

module.enableCompileCache?.()
const {main} = await import('../dist/bundle/main.js')
await main(import.meta.url)
