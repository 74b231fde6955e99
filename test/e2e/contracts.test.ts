// Generated contracts stay in step with the model, and the examples stay valid and editor-ready.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {golden} from '../helpers/golden.js'
import {NODE, ROOT} from '../helpers/run-cli.js'

describe('generated contracts', () => {
  it('schemas/ and src/resources/generated/ match the resource model (npm run schemas)', () => {
    const r = spawnSync(NODE, ['scripts/schemas.mjs', 'check'], {cwd: ROOT, encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})

describe('examples/', () => {
  const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'))
  it('holds a minimal, an autoscaling and a full worker, a stack, a secret and a compute', () => {
    expect(files.sort()).toEqual([
      'compute.yaml',
      'secret.yaml',
      'stack.yaml',
      'worker-autoscaling.yaml',
      'worker-full.yaml',
      'worker-minimal.yaml',
    ])
  })
  it.each(files)('%s starts with the modeline of its schema', (file) => {
    const text = readFileSync(join(ROOT, 'examples', file), 'utf8')
    const type = /^type: (\w+)$/m.exec(text)![1]
    const version = /^version: (\w+)$/m.exec(text)![1]
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=../schemas/${type}.${version}.schema.json`)
  })
})

describe('schemas/openapi.json', () => {
  const document = () => JSON.parse(readFileSync(join(ROOT, 'schemas/openapi.json'), 'utf8')) as Record<string, unknown>

  it('is a valid OpenAPI 3.1 document for an independent validator (swagger-parser)', async () => {
    const {default: SwaggerParser} = await import('@apidevtools/swagger-parser')
    await expect(SwaggerParser.validate(document() as never)).resolves.toBeDefined()
    // The validator can fail: the same document declared 3.0 is refused (3.0 has no type arrays).
    await expect(SwaggerParser.validate({...document(), openapi: '3.0.3'} as never)).rejects.toThrow()
  })

  it('generates a client type (openapi-typescript) that a typed caller compiles against', async () => {
    const {default: openapiTS} = await import('openapi-typescript')
    const types = await openapiTS(document() as never)
    const dir = mkdtempSync(join(tmpdir(), 'drover-openapi-'))
    try {
      writeFileSync(join(dir, 'api.d.ts'), types)
      // A caller that uses the generated types the way a client would: a wrong field name or
      // a changed shape fails to compile.
      writeFileSync(
        join(dir, 'client.ts'),
        [
          "import type {paths} from './api.js'",
          "type Apply = paths['/api/v1/apply']['post']",
          "type ApplyBody = Apply['requestBody']['content']['application/json']",
          "export const body: ApplyBody = {manifest: {name: 'w'}, dryRun: true}",
          "type Get = paths['/api/v1/resources/{type}/{name}']['get']",
          "type Resource = Get['responses'][200]['content']['application/json']",
          'export const status = (r: Resource): unknown => r.status',
          "export const params: Get['parameters']['path'] = {type: 'worker', name: 'w'}",
          "type Whoami = paths['/api/v1/whoami']['get']['responses'][200]['content']['application/json']",
          'export const who = (w: Whoami): unknown => w',
          '',
        ].join('\n'),
      )
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', types: []},
          files: ['client.ts'],
        }),
      )
      const r = spawnSync(NODE, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {encoding: 'utf8'})
      expect(r.stdout + r.stderr).toBe('')
      expect(r.status).toBe(0)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('is the document the server serves', async () => {
    const {openApiDocument} = await import('../../src/server/openapi.js')
    const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
    expect(JSON.parse(readFileSync(join(ROOT, 'schemas/openapi.json'), 'utf8'))).toEqual(openApiDocument(version))
  })
})

describe('the command surface', () => {
  // Every command's flags, from the oclif manifest the build generates: a change of the CLI's
  // contract shows up in review. UPDATE_GOLDEN=1 accepts a deliberate change.
  it('matches test/fixtures/commands.snapshot.json', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<
        string,
        {
          aliases: string[]
          hiddenAliases?: string[]
          flags: Record<
            string,
            {
              char?: string
              type: string
              options?: string[]
              required?: boolean
              multiple?: boolean
              aliases?: string[]
              default?: unknown
            }
          >
        }
      >
    }
    const surface = Object.fromEntries(
      Object.entries(manifest.commands)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, c]) => [
          id.replaceAll(':', ' '),
          {
            // hidden aliases are the dataos-ctl and kubectl spellings users type: a contract too
            aliases: [...c.aliases, ...(c.hiddenAliases ?? [])].map((a) => a.replaceAll(':', ' ')),
            flags: Object.fromEntries(
              Object.entries(c.flags)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([name, f]) => [
                  name,
                  [
                    f.char ? `-${f.char}` : '',
                    f.type === 'boolean' ? 'boolean' : 'value',
                    f.required ? 'required' : '',
                    f.multiple ? 'repeatable' : '',
                    f.options ? `one of ${f.options.join('|')}` : '',
                    f.aliases?.length ? `alias ${f.aliases.join(',')}` : '',
                    f.default !== undefined ? `default ${String(f.default)}` : '',
                  ]
                    .filter(Boolean)
                    .join(' '),
                ]),
            ),
          },
        ]),
    )
    golden('test/fixtures/commands.snapshot.json', `${JSON.stringify(surface, null, 2)}\n`)
  })
})
