#!/usr/bin/env node
// Entry point of the drover CLI. The compile cache goes first: static imports are hoisted,
// so everything else is loaded with a dynamic import after it is enabled.
import module from 'node:module'

module.enableCompileCache?.()
// A reader that goes away (`drover get | head -1`) ends the command quietly, as SIGPIPE ends
// other Unix tools (status 141), never with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(141)
  })
const {main} = await import('../dist/bundle/main.js')
await main(import.meta.url)
