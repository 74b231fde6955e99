// JSON Schema (draft-07: the dialect yaml-language-server understands) generated from the zod
// models with zod 4's own z.toJSONSchema. io:'input' keeps defaulted fields optional, which is
// what a user writes; z.strictObject gives additionalProperties:false.
import {z} from 'zod'
import {KINDS, schemaKey} from './registry.js'
import {SHAPES} from './model/index.js'

export type JsonSchema = {[key: string]: unknown}

const MAX_SAFE = Number.MAX_SAFE_INTEGER

/** Removes what zod adds that carries no meaning for users (±2^53 bounds on integers). */
function tidy(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(tidy)
    return
  }
  if (typeof node !== 'object' || node === null) return
  const schema = node as JsonSchema
  collapseTypeUnion(schema)
  if (schema.maximum === MAX_SAFE) delete schema.maximum
  if (schema.minimum === -MAX_SAFE) delete schema.minimum
  for (const value of Object.values(schema)) tidy(value)
}

/**
 * zod writes `string | number` as anyOf; a type list says the same and gives one clear error
 * ("must be string,number") instead of one per branch. Only when the branches constrain
 * disjoint types and no keyword appears twice.
 */
function collapseTypeUnion(schema: JsonSchema): void {
  const branches = schema.anyOf
  if (!Array.isArray(branches) || branches.length < 2) return
  const merged: JsonSchema = {}
  const types: string[] = []
  for (const branch of branches as JsonSchema[]) {
    if (typeof branch.type !== 'string' || types.includes(branch.type)) return
    types.push(branch.type)
    for (const [key, value] of Object.entries(branch)) {
      if (key === 'type') continue
      if (key in merged) return
      merged[key] = value
    }
  }
  // The branches differ only in their type: one schema with a list of types says the same.
  delete schema.anyOf
  Object.assign(schema, merged, {type: types})
}

export function jsonSchemaFor(type: string, version: string): JsonSchema | undefined {
  const key = schemaKey(type, version)
  const shape = SHAPES[key]
  if (!shape) return undefined
  const kind = KINDS.find((k) => k.type === type)!
  const generated = z.toJSONSchema(shape, {target: 'draft-7', io: 'input'}) as JsonSchema
  tidy(generated)
  const {$schema, ...rest} = generated
  return {
    $schema,
    $id: `https://drover.dev/schemas/${key}.schema.json`,
    title: `drover ${type} ${version}`,
    description: `A drover ${type} manifest (${kind.summary}). Generated from the resource model by \`drover develop schema generate -t ${type} -v ${version}\`; do not edit.`,
    ...rest,
  }
}
