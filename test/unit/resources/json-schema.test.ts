import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import {jsonSchemaFor} from '../../../src/resources/json-schema.js'
import {allSchemaKeys} from '../../../src/resources/registry.js'
import {ROOT} from '../../helpers/run-cli.js'

type Schema = Record<string, unknown>

/** Every schema node that describes a field, with its path. */
function fields(schema: Schema, path = ''): [string, Schema][] {
  const out: [string, Schema][] = []
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    out.push([`${path}${key}`, child], ...fields(child, `${path}${key}.`))
  }
  if (schema.items && typeof schema.items === 'object') out.push(...fields(schema.items as Schema, `${path}[].`))
  return out
}

describe.each(allSchemaKeys())('JSON Schema $key', ({type, version, key}) => {
  const schema = jsonSchemaFor(type, version)!

  it('is draft-07, the dialect yaml-language-server reads', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(() => new Ajv({strict: true, allowUnionTypes: true}).compile(schema)).not.toThrow()
  })

  it('describes every field', () => {
    const undocumented = fields(schema)
      .filter(([, s]) => typeof s.description !== 'string' || s.description.length < 8)
      .map(([p]) => p)
    expect(undocumented).toEqual([])
  })

  it('rejects unknown fields everywhere except free-form maps', () => {
    const open = fields(schema)
      .filter(([, s]) => s.type === 'object' && s.properties && s.additionalProperties !== false)
      .map(([p]) => p)
    expect(open).toEqual([])
    expect(schema.additionalProperties).toBe(false)
  })

  it('matches the committed file in schemas/ (npm run schemas regenerates it)', () => {
    const committed = readFileSync(join(ROOT, 'schemas', `${key}.schema.json`), 'utf8')
    expect(committed).toBe(`${JSON.stringify(schema, null, 2)}\n`)
  })
})

describe('worker schema', () => {
  const worker = jsonSchemaFor('worker', 'v1beta')!
  const section = (worker.properties as Record<string, Schema>).worker!
  const props = section.properties as Record<string, Schema>

  it('has every field of DESIGN §2', () => {
    expect(Object.keys(props).sort()).toEqual([
      'autoScaling',
      'autoscaling',
      'compute',
      'configs',
      'dataosSecrets',
      'dataosVolumes',
      'dryRun',
      'envs',
      'highAvailabilityConfig',
      'logLevel',
      'persistentVolume',
      'replicas',
      'resources',
      'runAsApiKey',
      'runAsUser',
      'secrets',
      'stack',
      'stackSpec',
      'tags',
      'tempVolume',
      'title',
      'topology',
    ])
    expect(section.required).toEqual(['stack', 'compute'])
  })

  it('carries the defaults that lint fills in', () => {
    expect(props.replicas!.default).toBe(1)
    expect(props.logLevel!.default).toBe('INFO')
    expect(props.dryRun!.default).toBe(false)
  })
})
