// Resource identifiers as dataos-ctl accepts them (research/dataos-spec.md §4.3):
//   -i "name | version | type | workspace"   a row copied from `get` (| or │ between columns,
//                                           or spaces); an empty segment is the default, extra
//                                           columns are ignored
//   -i type:version:name[:workspace]        colon form, type first (the command reference)
//   -i name:version:type[:workspace]        colon form, name first (other DataOS pages)
//   --id type:version:name[:workspace]      always type first (DATAOS_RESOURCE_ID)
// The workspace defaults to public for workspace-level types; instance-level types have none.
import {nameProblem} from './names.js'
import {DEFAULT_WORKSPACE, type ResourceKind, TYPES, findKind} from './registry.js'

export interface ResourceRef {
  type: string
  version: string
  name: string
  /** Absent for instance-level types. */
  workspace?: string
}

export class IdentifierError extends Error {}

function complete(
  kind: ResourceKind,
  version: string,
  name: string,
  workspace: string | undefined,
  input: string,
): ResourceRef {
  if (!kind.versions.includes(version)) {
    throw new IdentifierError(
      `"${input}": ${kind.type} has no version ${JSON.stringify(version)}; supported: ${kind.versions.join(', ')}`,
    )
  }
  const bad = nameProblem(name)
  if (bad) throw new IdentifierError(`"${input}": name ${JSON.stringify(name)} ${bad}`)
  if (kind.scope === 'instance') return {type: kind.type, version, name}
  const ws = workspace || DEFAULT_WORKSPACE
  const badWs = nameProblem(ws)
  if (badWs) throw new IdentifierError(`"${input}": workspace ${JSON.stringify(ws)} ${badWs}`)
  return {type: kind.type, version, name, workspace: ws}
}

const unknownType = (input: string, type: string) =>
  new IdentifierError(`"${input}": unknown type ${JSON.stringify(type)}; supported types: ${TYPES.join(', ')}`)

/** `--id type:version:name[:workspace]`. */
export function parseId(input: string): ResourceRef {
  const parts = input
    .trim()
    .split(':')
    .map((s) => s.trim())
  if (parts.length < 3 || parts.length > 4 || parts.slice(0, 3).some((p) => p === '')) {
    throw new IdentifierError(`"${input}": expected type:version:name[:workspace], e.g. worker:v1beta:my-worker:public`)
  }
  const [type, version, name, workspace] = parts as [string, string, string, string | undefined]
  const kind = findKind(type)
  if (!kind) throw unknownType(input, type)
  return complete(kind, version, name, workspace, input)
}

/**
 * A row pasted from `get`: `|`-separated (dataos-ctl's ASCII or box tables) or space-separated
 * (kubectl's), columns by position (name, version, type, workspace, then ignored ones). An empty
 * segment means the default (the type's preferred version, the public workspace); it never
 * shifts the columns after it.
 */
function parseRow(input: string, segments: string[]): ResourceRef {
  const [name = '', version = '', type = '', workspace = ''] = segments
  if (name === '' || type === '') {
    throw new IdentifierError(
      `"${input}": expected "name | version | type | workspace", e.g. "my-worker | v1beta | worker | public"`,
    )
  }
  const kind = findKind(type)
  if (!kind) throw unknownType(input, type)
  return complete(kind, version || kind.versions[0]!, name, workspace || undefined, input)
}

/** `-i`: a pasted row (either form), or either colon order (decided by which reading names a known type and version). */
export function parseIdentifier(input: string): ResourceRef {
  const trimmed = input.trim()
  if (/[|│]/.test(trimmed)) {
    const segments = trimmed.split(/[|│]/).map((s) => s.trim())
    // A box table's row starts with its border: "│ name │ v1 │ …".
    if (segments[0] === '' && segments.length > 1 && segments[1] !== '') segments.shift()
    // By position first; DataOS's reference also pads rows with empty segments
    // ("x | | v1beta | | worker | public"): when the third column names no type, read it so.
    if (findKind(segments[2] ?? '')) return parseRow(input, segments)
    return parseRow(
      input,
      segments.filter((x) => x !== ''),
    )
  }
  if (/\s/.test(trimmed)) return parseRow(input, trimmed.split(/\s+/))
  const parts = input
    .trim()
    .split(':')
    .map((s) => s.trim())
  if (parts.length < 3 || parts.length > 4 || parts.slice(0, 3).some((p) => p === '')) {
    throw new IdentifierError(
      `"${input}": expected "name | version | type | workspace" or type:version:name[:workspace]`,
    )
  }
  const typeFirst = findKind(parts[0]!)
  const nameFirst = findKind(parts[2]!)
  // Type first is the documented form; name first wins only when type first cannot be right.
  if (typeFirst && (typeFirst.versions.includes(parts[1]!) || !nameFirst?.versions.includes(parts[1]!))) {
    return complete(typeFirst, parts[1]!, parts[2]!, parts[3], input)
  }
  if (nameFirst) return complete(nameFirst, parts[1]!, parts[0]!, parts[3], input)
  throw unknownType(input, parts[0]!)
}

/** `-t type -n name [-w ws] [-v version]`: the version defaults to the type's preferred one. */
export function refFromFlags(type: string, name: string, workspace?: string, version?: string): ResourceRef {
  const kind = findKind(type)
  if (!kind) throw unknownType(`-t ${type}`, type)
  const input = `-t ${type} -n ${name}`
  return complete(kind, version ?? kind.versions[0]!, name, workspace, input)
}

export function formatRef(ref: ResourceRef): string {
  return ref.workspace === undefined
    ? `${ref.type}:${ref.version}:${ref.name}`
    : `${ref.type}:${ref.version}:${ref.name}:${ref.workspace}`
}
