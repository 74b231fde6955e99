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

  it('keeps zod, the server and its stores off the CLI start-up path', () => {
    const startup = staticClosure(edges, 'commands/index.ts')
    expect(startup.has('resources/validate.ts')).toBe(true) // the closure is real
    const heavy = [...startup].filter((m) => m === 'zod' || m === 'fastify' || m === 'undici' || /^(server|store|scheduler|runtime)\//.test(m))
    expect(heavy).toEqual([])
  })

  it('imports Node built-ins with the node: prefix', () => {
    const builtins = new Set(['fs', 'path', 'url', 'os', 'child_process', 'crypto', 'http', 'events', 'stream', 'util', 'module', 'net', 'process', 'timers'])
    expect(edges.filter((e) => builtins.has(e.to)).map((e) => `${e.from} → ${e.to}`)).toEqual([])
  })
})
