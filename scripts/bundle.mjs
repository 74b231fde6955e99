#!/usr/bin/env node
// Bundles the CLI (the tsc output in dist/) into dist/bundle/ with esbuild.
// One module graph instead of ~400 files cuts start-up by ~20 ms (bench/RESULTS.md); code
// that only some commands need (zod, the HTTP client) is split into chunks loaded on demand.
import {build} from 'esbuild'
import {rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
rmSync(join(root, 'dist/bundle'), {recursive: true, force: true})
const result = await build({
  // main: the entry bin/run.js loads (fast path, no oclif); cli: oclif and the command table.
  entryPoints: {main: join(root, 'dist/commands/main.js'), cli: join(root, 'dist/commands/index.js')},
  outdir: join(root, 'dist/bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  chunkNames: 'chunks/[name]-[hash]',
  // What each output file imports, and from which inputs it is made: the architecture test
  // reads it to check what `drover` loads before it knows the command.
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies (oclif) are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import {createRequire as __droverRequire} from 'node:module'; const require = __droverRequire(import.meta.url);",
  },
})
writeFileSync(join(root, 'dist/bundle/meta.json'), JSON.stringify(result.metafile))
