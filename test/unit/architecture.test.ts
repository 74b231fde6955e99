import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {NODE, ROOT} from '../helpers/run-cli.js'

// The dependency rules live in .dependency-cruiser.cjs (layers, cycles, concrete adapters only in
// server/main.ts, no I/O in api/); `npm run lint:deps` checks src/ with them in `npm test`.
// Biome's useNodejsImportProtocol checks that Node built-ins are imported with `node:`.
// Here: the rules can fail, on a fixture tree that breaks each one.
interface Violation {
  rule: {name: string}
  from: string
  to: string
}

function cruise(cwd: string): Violation[] {
  const out = execFileSync(
    NODE,
    [
      '--import',
      join(ROOT, 'scripts/typescript5.mjs'),
      join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      '--config',
      join(ROOT, '.dependency-cruiser.cjs'),
      '--output-type',
      'json',
      'src',
    ],
    {cwd, encoding: 'utf8'},
  )
  return (JSON.parse(out) as {summary: {violations: Violation[]}}).summary.violations
}

describe('architecture', () => {
  it('each dependency rule catches what it forbids (type-only imports included)', () => {
    const found = cruise(join(ROOT, 'test/fixtures/architecture'))
      .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
      .sort()
    expect(found).toEqual([
      'concrete-store-only-in-main: src/server/app.ts → src/store/sqlite/store.ts',
      'layer-cli: src/cli/bad.ts → src/server/app.ts',
      'no-cycles: src/lib/a.ts → src/lib/b.ts',
      'no-io-in-api: src/api/io.ts → fs',
    ])
  })

  it('keeps oclif, zod, the server and its stores off the CLI start-up path (esbuild metafile)', () => {
    // What bin/run.js loads before it knows the command: dist/bundle/main.js and every chunk it
    // imports statically. The metafile says which inputs each output holds.
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist/bundle/meta.json'), 'utf8')) as {
      outputs: Record<string, {imports: {path: string; kind: string}[]; inputs: Record<string, unknown>}>
    }
    const closure = (entry: string) => {
      const seen = new Set([entry])
      const queue = [entry]
      while (queue.length > 0)
        for (const i of meta.outputs[queue.pop()!]!.imports)
          if (i.kind === 'import-statement' && meta.outputs[i.path] && !seen.has(i.path)) {
            seen.add(i.path)
            queue.push(i.path)
          }
      return [...seen].flatMap((o) => Object.keys(meta.outputs[o]!.inputs))
    }
    const heavy =
      /node_modules\/(@oclif|zod|yaml|fastify|undici|ajv|chalk|cli-table3)\/|^dist\/(server|store|scheduler|runtime)\//
    const startup = closure('dist/bundle/main.js')
    expect(startup).toContain('dist/cli/fast-path.js') // the closure is real
    expect(startup.filter((m) => heavy.test(m))).toEqual([])
    // oclif's command table loads oclif, but still no zod, server or store.
    const commands = closure('dist/bundle/cli.js')
    expect(commands.some((m) => m.includes('node_modules/@oclif/core/'))).toBe(true)
    expect(commands.filter((m) => /node_modules\/zod\/|^dist\/(server|store|scheduler|runtime)\//.test(m))).toEqual([])
  })
})
