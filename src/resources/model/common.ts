// Building blocks shared by every resource model. Every field carries a description (and an
// example where one helps): they become the hover text of editors through schemas/.
import {z} from 'zod'
import {NAME_MAX_LENGTH} from '../names.js'
import {CPU_PATTERN, MEMORY_PATTERN, NAME_PATTERN} from '../patterns.js'

export function described<T extends z.ZodType>(schema: T, description: string, examples?: unknown[]): T {
  return schema.meta(examples ? {description, examples} : {description}) as T
}

export const resourceName = (what: string) =>
  described(
    z.string().regex(new RegExp(NAME_PATTERN)).max(NAME_MAX_LENGTH),
    `${what}: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most ${NAME_MAX_LENGTH} characters.`,
    ['my-worker'],
  )

/** A scalar written into an environment variable or a file: YAML numbers and booleans are accepted and used as text. */
export const scalarText = z.union([z.string(), z.number(), z.boolean()])

export const cpuQuantity = z.union([z.string().regex(new RegExp(CPU_PATTERN)), z.number().min(0)])
export const memoryQuantity = z.union([z.string().regex(new RegExp(MEMORY_PATTERN)), z.int().min(0)])

export const stringList = (description: string, examples?: unknown[]) =>
  described(z.array(z.string()), description, examples)

/**
 * The resource meta section shared by every type (research/dataos-spec.md §1). `version` and
 * `type` are fixed per schema; the type section (`worker:`) is added by each model.
 */
export function metaSection<T extends string, V extends string>(type: T, version: V, scope: 'workspace' | 'instance') {
  return {
    name: resourceName(`Name of the ${type}, unique per ${scope === 'workspace' ? 'workspace and type' : 'type'}`),
    version: described(z.literal(version), `Schema version of the ${type} manifest.`, [version]),
    type: described(z.literal(type), 'Resource type; the type-specific section must be named after it.', [type]),
    tags: stringList('Free-form tags, for search and display.', [['team:data', 'tier:gold']]).optional(),
    description: described(z.string(), 'What the resource is for.').optional(),
    title: described(z.string(), 'Display title (accepted at top level as DataOS samples write it).').optional(),
    owner: described(z.string(), 'Owner id; the control plane sets it to the caller when absent.').optional(),
    layer: described(z.enum(['user', 'system']), 'Logical layer: user resources or system resources.').default('user'),
    ...(scope === 'workspace'
      ? {
          workspace: described(
            z.string().regex(new RegExp(NAME_PATTERN)).max(NAME_MAX_LENGTH),
            'Workspace the resource lives in. Optional: `-w` picks it otherwise (default public); when both are given they must agree.',
            ['public'],
          ).optional(),
        }
      : {}),
  }
}
