// Validation of one manifest (a plain value, already parsed): the generated ajv validators
// (compiled at build time from the JSON Schemas in schemas/, so no schema compilation and no
// zod at run time), then the cross-field rules. Used by the CLI (`apply --lint`) and by the
// server. Problems come back with field paths; locating them in a file is the caller's job.
import {cloneJson} from '../lib/clone.js'
import {closest} from '../lib/edit-distance.js'
import {fieldPaths, validators} from './generated/validators.js'
import {PATTERN_RULES} from './patterns.js'
import type {PathSegment, Problem} from './problems.js'
import {quantityHint} from './quantity.js'
import {type ResourceKind, TYPES, findKind, schemaKey} from './registry.js'
import {crossFieldProblems} from './rules.js'
import {isObject, type Json} from '../lib/json.js'

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  propertyName?: string
  message?: string
}

type CompiledValidator = ((data: unknown) => boolean) & {errors?: AjvError[] | null}

const compiled = validators as unknown as Record<string, CompiledValidator>
const knownPaths = fieldPaths as unknown as Record<string, string[]>

export interface ValidationResult {
  kind?: ResourceKind
  /** Schema key (`worker.v1beta`) once type and version are known. */
  key?: string
  problems: Problem[]
  /** What the manifest leaves to defaults that the author may not expect; never makes it invalid. */
  warnings?: Problem[]
  /** The manifest with defaults filled and spellings normalized; set when there is no problem. */
  manifest?: Json
}

/** Fields whose values are credentials: never echoed in messages, masked in printed manifests. */
export function isSensitivePath(path: readonly PathSegment[]): boolean {
  return (
    (path[0] === 'secret' && path[1] === 'data' && path.length >= 2) ||
    (path[0] === 'worker' && path[1] === 'runAsApiKey')
  )
}

export const MASK = '******'

/** A copy with every credential value (isSensitivePath) masked; `path` is where `value` sits. */
export function maskSensitive<T>(value: T, path: PathSegment[] = []): T {
  if (path.length > 0 && isSensitivePath(path) && (typeof value !== 'object' || value === null)) return MASK as T
  if (Array.isArray(value)) return value.map((v, i) => maskSensitive(v, [...path, i])) as T
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSensitive(v, [...path, k])])) as T
  }
  return value
}

const describedType: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
}

function typeDetail(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).map((t) => describedType[String(t)] ?? String(t))
  return `must be ${types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types[0]}`
}

/** What to write instead, for the type mistakes YAML makes easy. */
function typeHint(expected: unknown, value: unknown): string | undefined {
  if (expected === 'boolean' && typeof value === 'string') {
    if (/^(yes|no|on|off|y|n)$/i.test(value)) return 'write true or false (YAML 1.2 reads yes, no, on and off as text)'
    if (/^(true|false)$/i.test(value)) return `write ${value.toLowerCase()} without quotes`
  }
  if (expected === 'integer' && typeof value === 'string' && /^-?\d+$/.test(value))
    return `write ${value} without quotes`
  if (expected === 'array' && value !== null && typeof value !== 'object')
    return `write a list, e.g. [${JSON.stringify(value)}]`
  return undefined
}

function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return []
  const path: PathSegment[] = []
  let node = data
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const key: PathSegment = Array.isArray(node) && /^\d+$/.test(segment) ? Number(segment) : segment
    path.push(key)
    node = node === null || node === undefined ? undefined : (node as Record<PathSegment, unknown>)[key]
  }
  return path
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data
  for (const key of path)
    node = node === null || node === undefined ? undefined : (node as Record<PathSegment, unknown>)[key]
  return node
}

/** `worker.dataosVolumes.[].name` from `['worker', 'dataosVolumes', 0, 'name']`. */
const patternOf = (path: readonly PathSegment[]) => path.map((s) => (typeof s === 'number' ? '[]' : s)).join('.')

function childrenOf(paths: readonly string[], parent: string): string[] {
  const prefix = parent ? `${parent}.` : ''
  const out = new Set<string>()
  for (const p of paths) {
    if (!p.startsWith(prefix)) continue
    const child = p.slice(prefix.length).split('.')[0]
    if (child && child !== '[]') out.add(child)
  }
  return [...out]
}

const displayPattern = (pattern: string) => pattern.replace(/\.\[\]/g, '[]')

// DataOS's deprecated aliases of stackSpec (research/dataos-spec.md §2).
const STACKSPEC_ALIASES = new Set(['flare', 'bento', 'beacon', 'scanner', 'container'])

function unknownFieldHint(
  kind: ResourceKind,
  key: string,
  parent: PathSegment[],
  paths: readonly string[],
): string | undefined {
  const parentPattern = patternOf(parent)
  if (parent.length === 0) {
    if (TYPES.includes(key)) {
      return `a ${kind.type} manifest has exactly one type section, ${kind.type}:, and ${key}: is the section of a ${key}`
    }
    if (key === 'workspace' && kind.scope === 'instance')
      return `a ${kind.type} is an instance-level resource and belongs to no workspace`
  }
  const siblings = childrenOf(paths, parentPattern)
  const near = closest(key, siblings)
  if (near) return `did you mean "${near}"?`
  if (parentPattern === 'worker' && STACKSPEC_ALIASES.has(key)) {
    return `${key}: is DataOS's deprecated alias of stackSpec; drover reads the stack configuration from worker.stackSpec`
  }
  // A known field at the wrong depth: the widely copied DataOS sample puts requests:/limits:
  // beside resources: instead of under it.
  const lower = key.toLowerCase()
  const homes = paths
    .filter((p) => p.split('.').at(-1)?.toLowerCase() === lower)
    .map((p) => p.split('.').slice(0, -1).join('.'))
  if (homes.length > 0) {
    const score = (home: string) => {
      if (home.startsWith(parentPattern ? `${parentPattern}.` : '') && home.split('.').length === parent.length + 1)
        return 1000 // one level too high
      let common = 0
      const a = home.split('.')
      const b = parentPattern.split('.')
      while (common < a.length && common < b.length && a[common] === b[common]) common++
      return common * 10 - a.length
    }
    const best = homes.sort((x, y) => score(y) - score(x))[0]!
    if (best !== parentPattern) return `"${key}" belongs under ${best ? displayPattern(best) : 'the top level'}`
  }
  if (parentPattern === 'worker') {
    return 'stack configuration belongs under worker.stackSpec (indent it below stackSpec:)'
  }
  return undefined
}

function problemFromAjv(
  kind: ResourceKind | undefined,
  error: AjvError,
  data: unknown,
  paths: readonly string[],
  prefix: PathSegment[] = [],
): Problem | undefined {
  const relative = pointerToPath(error.instancePath, data)
  const at = [...prefix, ...relative]
  const p = error.params
  switch (error.keyword) {
    case 'required':
      return {path: [...at, String(p.missingProperty)], code: 'Required', detail: '', anchor: 'key'}
    case 'additionalProperties': {
      const key = String(p.additionalProperty)
      return {
        path: [...at, key],
        code: 'UnknownField',
        detail: '',
        hint: kind ? unknownFieldHint(kind, key, at, paths) : undefined,
        anchor: 'key',
      }
    }
    case 'type': {
      const value = valueAt(data, relative)
      return {path: at, code: 'InvalidType', value, detail: typeDetail(p.type), hint: typeHint(p.type, value)}
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v))
      const value = valueAt(data, relative)
      const near = typeof value === 'string' ? closest(value, (p.allowedValues as unknown[]).map(String)) : undefined
      return {
        path: at,
        code: 'Unsupported',
        value,
        detail: `supported values: ${allowed.join(', ')}`,
        hint: near ? `did you mean "${near}"?` : undefined,
      }
    }
    case 'const':
      return {
        path: at,
        code: 'Unsupported',
        value: valueAt(data, relative),
        detail: `must be ${JSON.stringify(p.allowedValue)}`,
      }
    case 'pattern': {
      if (error.propertyName !== undefined) {
        return {
          path: [...at, error.propertyName],
          code: 'InvalidValue',
          value: error.propertyName,
          detail: PATTERN_RULES[String(p.pattern)] ?? `must match ${String(p.pattern)}`,
          anchor: 'key',
        }
      }
      const value = valueAt(data, relative)
      const field = at.at(-1)
      const hint = field === 'cpu' || field === 'memory' ? quantityHint(field, value) : undefined
      return {
        path: at,
        code: 'InvalidValue',
        value,
        detail: PATTERN_RULES[String(p.pattern)] ?? `must match ${String(p.pattern)}`,
        hint,
      }
    }
    case 'propertyNames':
      return undefined // reported by the inner keyword, which carries the key
    case 'maxLength':
      return {
        path: at,
        code: 'InvalidValue',
        value: valueAt(data, relative),
        detail: `must be no more than ${String(p.limit)} characters`,
      }
    case 'minLength':
      return {
        path: at,
        code: 'InvalidValue',
        value: valueAt(data, relative),
        detail: Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`,
      }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = {
        '>=': 'greater than or equal to',
        '<=': 'less than or equal to',
        '>': 'greater than',
        '<': 'less than',
      }
      return {
        path: at,
        code: 'InvalidValue',
        value: valueAt(data, relative),
        detail: `must be ${words[String(p.comparison)] ?? String(p.comparison)} ${String(p.limit)}`,
      }
    }
    default:
      return {path: at, code: 'InvalidValue', value: valueAt(data, relative), detail: error.message ?? error.keyword}
  }
}

function metaProblem(field: 'type' | 'version', value: unknown, supported: readonly string[], what: string): Problem {
  if (value === undefined) {
    return {
      path: [field],
      code: 'Required',
      detail: '',
      hint: `${what}: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
      anchor: 'key',
    }
  }
  if (typeof value !== 'string') return {path: [field], code: 'InvalidType', value, detail: typeDetail('string')}
  const near = closest(value, supported)
  return {
    path: [field],
    code: 'Unsupported',
    value,
    detail: `${what}: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    hint: near ? `did you mean "${near}"?` : undefined,
  }
}

/** Renames `autoScaling` to `autoscaling` in place of the same key, so one spelling is stored. */
function normalize(manifest: Json): Json {
  const worker = manifest.worker
  if (manifest.type !== 'worker' || !isObject(worker) || !('autoScaling' in worker)) return manifest
  const renamed: Json = {}
  for (const [k, v] of Object.entries(worker)) renamed[k === 'autoScaling' ? 'autoscaling' : k] = v
  return {...manifest, worker: renamed}
}

/**
 * Validates one manifest. Never throws for bad input; never mutates `value` (defaults are
 * filled into a copy).
 */
export function validateManifest(value: unknown): ValidationResult {
  if (!isObject(value)) {
    return {
      problems: [
        {
          path: [],
          code: 'Syntax',
          detail: `a manifest must be a mapping (name, version, type, …), not ${value === null ? 'empty' : Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
        },
      ],
    }
  }
  const kind = typeof value.type === 'string' ? findKind(value.type) : undefined
  if (!kind) return {problems: [metaProblem('type', value.type, TYPES, 'supported types')]}
  if (typeof value.version !== 'string' || !kind.versions.includes(value.version)) {
    return {
      kind,
      problems: [metaProblem('version', value.version, kind.versions, `supported versions of ${kind.type}`)],
    }
  }
  const key = schemaKey(kind.type, value.version)
  const validate = compiled[key]
  if (!validate) throw new Error(`no generated validator for ${key}: run npm run schemas`)
  const data = cloneJson(value)
  const problems: Problem[] = []
  const seen = new Set<string>()
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      const problem = problemFromAjv(kind, error, data, knownPaths[key] ?? [])
      if (!problem) continue
      const id = `${problem.code}\u0000${problem.path.join('\u0000')}\u0000${problem.detail}`
      if (seen.has(id)) continue
      seen.add(id)
      problems.push(problem)
    }
  }
  // The rules run even when the schema failed (all errors at once); they read values
  // defensively, and a rule never repeats a field the schema already reported.
  const reported = new Set(problems.map((p) => p.path.join('\u0000')))
  const warnings: Problem[] = []
  for (const p of crossFieldProblems(data)) {
    if (reported.has(p.path.join('\u0000'))) continue
    if (p.severity === 'warning') warnings.push(p)
    else problems.push(p)
  }
  return problems.length > 0
    ? {kind, key, problems, warnings}
    : {kind, key, problems, warnings, manifest: normalize(data)}
}

/**
 * Problems of a value that failed a JSON Schema of its own (a stack's stackSpec schema), as
 * ajv reported them, placed under `prefix` (e.g. worker.stackSpec).
 */
export function schemaProblems(errors: readonly AjvError[], data: unknown, prefix: PathSegment[]): Problem[] {
  const out: Problem[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    if (['anyOf', 'oneOf', 'if'].includes(error.keyword)) {
      out.push({
        path: [...prefix, ...pointerToPath(error.instancePath, data)],
        code: 'InvalidValue',
        value: valueAt(data, pointerToPath(error.instancePath, data)),
        detail: error.message ?? `must match the schema (${error.keyword})`,
      })
      continue
    }
    const p = problemFromAjv(undefined, error, data, [], prefix)
    if (!p) continue
    const id = `${p.code}\u0000${p.path.join('\u0000')}\u0000${p.detail}`
    if (!seen.has(id)) {
      seen.add(id)
      out.push(p)
    }
  }
  return out
}

export type {AjvError}
