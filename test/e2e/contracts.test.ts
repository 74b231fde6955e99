// Generated contracts stay in step with the model, and the examples stay valid and editor-ready.
import {spawnSync} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
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
  it('holds a minimal, an autoscaling and a full worker, a stack and a secret', () => {
    expect(files.sort()).toEqual([
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
    const {existsSync, writeFileSync} = await import('node:fs')
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<
        string,
        {
          aliases: string[]
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
            aliases: c.aliases.map((a) => a.replaceAll(':', ' ')),
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
    const file = join(ROOT, 'test/fixtures/commands.snapshot.json')
    const text = `${JSON.stringify(surface, null, 2)}\n`
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text)
    expect(text).toBe(readFileSync(file, 'utf8'))
  })
})
