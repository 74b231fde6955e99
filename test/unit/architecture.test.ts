import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {type Edge, edgesOf, layeringViolations, sourceFiles, staticClosure} from '../helpers/imports.js'
import {ROOT} from '../helpers/run-cli.js'

const SRC = join(ROOT, 'src')
const edges = sourceFiles(SRC).flatMap((file) => edgesOf(SRC, file))

describe('architecture', () => {
  it('follows the dependency direction of STYLE.md', () => {
    expect(layeringViolations(edges)).toEqual([])
  })

  it('detects a forbidden edge (the check itself can fail)', () => {
    const bad: Edge[] = [
      ...edgesOf(SRC, 'cli/fake.ts', "import {x} from '../server/app.js'\n"),
      ...edgesOf(SRC, 'resources/fake.ts', "export {y} from '../cli/errors.js'\n"),
      ...edgesOf(SRC, 'commands/fake.ts', "const m = await import('../store/sqlite/store.js')\n"),
    ]
    expect(layeringViolations(bad)).toEqual([
      'cli/fake.ts → server/app.ts (cli may not import server)',
      'resources/fake.ts → cli/errors.ts (resources may not import cli)',
      'commands/fake.ts → store/sqlite/store.ts (commands may not import store)',
    ])
  })

  it('keeps oclif, zod, the server and its stores off the CLI start-up path', () => {
    // What bin/run.js loads before it knows the command: the fast path must not pull in oclif.
    const startup = staticClosure(edges, 'commands/main.ts')
    expect(startup.has('cli/fast-path.ts')).toBe(true) // the closure is real
    const heavy = [...startup].filter(
      (m) =>
        ['@oclif/core', 'zod', 'yaml', 'fastify', 'undici', 'ajv'].includes(m) ||
        /^(server|store|scheduler|runtime)\//.test(m),
    )
    expect(heavy).toEqual([])
    // oclif's command table may load oclif, but still no zod, server or store.
    const commands = staticClosure(edges, 'commands/index.ts')
    expect(commands.has('@oclif/core')).toBe(true)
    expect([...commands].filter((m) => m === 'zod' || /^(server|store|scheduler|runtime)\//.test(m))).toEqual([])
  })

  it('imports Node built-ins with the node: prefix', () => {
    const builtins = new Set([
      'fs',
      'path',
      'url',
      'os',
      'child_process',
      'crypto',
      'http',
      'events',
      'stream',
      'util',
      'module',
      'net',
      'process',
      'timers',
    ])
    expect(edges.filter((e) => builtins.has(e.to)).map((e) => `${e.from} → ${e.to}`)).toEqual([])
  })
})
