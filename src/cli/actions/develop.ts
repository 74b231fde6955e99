// `drover develop generate` and `drover develop schema generate`.
import {writeFileSync} from 'node:fs'
import {stringify} from 'yaml'
import {nameProblem} from '../../resources/names.js'
import {findKind, type ResourceKind} from '../../resources/registry.js'
import {starterManifest} from '../../resources/starters.js'
import {InvalidInputError, UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {schemaModeline} from '../schema-files.js'
import {withClient} from '../remote.js'

function kindAndVersion(type: string, version: string | undefined): {kind: ResourceKind; version: string} {
  const kind = findKind(type)
  if (!kind) throw new UsageError(`unknown type ${JSON.stringify(type)}`)
  const v = version ?? kind.versions[0]!
  if (!kind.versions.includes(v))
    throw new UsageError(`${kind.type} has no version ${v}; supported: ${kind.versions.join(', ')}`)
  return {kind, version: v}
}

export async function generateStarter(flags: {type: string; name: string; version?: string}): Promise<Outcome> {
  const {kind, version} = kindAndVersion(flags.type, flags.version)
  const bad = nameProblem(flags.name)
  if (bad) throw new UsageError(`--name ${JSON.stringify(flags.name)}: ${bad}`)
  const manifest = starterManifest(kind.type, version, flags.name)!
  return {data: manifest, render: (m) => `${schemaModeline(kind.type, version)}\n${stringify(m, {lineWidth: 0})}`}
}

export async function generateSchema(flags: {type: string; version?: string; out?: string}, io: Io): Promise<Outcome> {
  const {kind, version} = kindAndVersion(flags.type, flags.version)
  // zod is loaded only here: it costs ~40 ms, which no other command should pay.
  const {jsonSchemaFor} = await import('../../resources/json-schema.js')
  const schema = jsonSchemaFor(kind.type, version)!
  const text = `${JSON.stringify(schema, null, 2)}\n`
  if (!flags.out) return {data: schema, render: () => text}
  try {
    writeFileSync(flags.out, text)
  } catch (error) {
    throw new InvalidInputError(
      `${flags.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    )
  }
  io.note(`wrote ${flags.out}`)
  return {data: {file: flags.out}, render: () => ''}
}

/** `develop schema get resource`: the schema the control plane validates with. */
export async function fetchSchema(flags: {type: string; version?: string}, io: Io): Promise<Outcome> {
  const {kind, version} = kindAndVersion(flags.type, flags.version)
  const schema = await withClient(io, (client) => client.schema(kind.type, version))
  return {data: schema, render: () => JSON.stringify(schema, null, 2)}
}
