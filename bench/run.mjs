#!/usr/bin/env node
// `npm run bench [-- name…]`: runs the benchmarks (all, or the ones named) and prints each
// result with the baseline measured in the same run. Record results in bench/RESULTS.md.
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {machine} from './lib.mjs'
import {kubernetes} from './kubernetes.mjs'
import {operationsPage} from './operations-page.mjs'
import {postgres} from './postgres.mjs'
import {render} from './render.mjs'
import {startup} from './startup.mjs'
import {validate} from './validate.mjs'
import {server} from './server.mjs'
import {workers} from './workers.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const all = {startup, validate, server, workers, render, kubernetes, postgres, page: operationsPage}
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const names = chosen.length > 0 ? chosen : Object.keys(all)
console.log(`drover benchmarks — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`)
let failed = 0
for (const name of names) {
  if (!all[name]) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(all).join(', ')}`)
  const result = await all[name]({root})
  console.log(`## ${result.title}\n\n${result.text}\n`)
  for (const check of result.checks) {
    console.log(`${check.ok ? 'PASS' : 'MISS'} target ${check.name}: ${check.value}`)
    if (!check.ok) failed++
  }
  console.log()
}
if (failed > 0) console.log(`${failed} target(s) missed`)
