// The resource types drover knows, with their versions. Everything that enumerates types
// (schema generation, validation, identifier parsing, `develop generate`) walks this list.
// Plain data on purpose: the CLI reads it at start-up, so it must not pull in zod.

type Scope = 'workspace' | 'instance'

export interface ResourceKind {
  readonly type: string
  /** Supported versions, the preferred one first. */
  readonly versions: readonly string[]
  readonly scope: Scope
  readonly summary: string
}

export const KINDS: readonly ResourceKind[] = [
  {
    type: 'worker',
    versions: ['v1beta'],
    scope: 'workspace',
    summary: 'a long-running program, run in one or more supervised replicas',
  },
  // DataOS's own Stack manifests say v1alpha; v1 is drover's name for the same schema.
  {
    type: 'stack',
    versions: ['v1', 'v1alpha'],
    scope: 'instance',
    summary: 'a runnable program that workers name in worker.stack',
  },
  {type: 'secret', versions: ['v1'], scope: 'workspace', summary: 'key/value data handed to workers, never printed'},
  {
    type: 'compute',
    versions: ['v1'],
    scope: 'instance',
    summary: 'where workers run: this machine (local) or a Kubernetes dataplane, with its node pool',
  },
]

export const TYPES: readonly string[] = KINDS.map((k) => k.type)

export function findKind(type: string): ResourceKind | undefined {
  return KINDS.find((k) => k.type === type)
}

/** The key used for schema files and generated validators: `worker.v1beta`. */
export function schemaKey(type: string, version: string): string {
  return `${type}.${version}`
}

export function allSchemaKeys(): {type: string; version: string; key: string}[] {
  return KINDS.flatMap((k) => k.versions.map((version) => ({type: k.type, version, key: schemaKey(k.type, version)})))
}

export const DEFAULT_WORKSPACE = 'public'
