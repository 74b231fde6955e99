// Which resources a command names: -i, --id, -t/-n/-w, or -f (every document of the files).
import {IdentifierError, type ResourceRef, parseId, parseIdentifier, refFromFlags} from '../resources/identifiers.js'
import {contextWorkspace} from './context.js'
import {UsageError} from './errors.js'
import {lintManifestFlags} from './manifests/lint.js'

export interface RefFlags {
  identifier?: string
  id?: string
  type?: string
  name?: string
  workspace?: string
  version?: string
  manifestFile?: string[]
  recursive?: boolean
  'disable-interpolation'?: boolean
}

/** The resources named by the flags; exactly one way of naming must be used. */
export function refsFromFlags(flags: RefFlags, what: string): ResourceRef[] {
  const ways = [
    flags.identifier !== undefined,
    flags.id !== undefined,
    flags.manifestFile !== undefined,
    flags.name !== undefined,
  ]
  if (ways.filter(Boolean).length !== 1) {
    throw new UsageError(
      `name the resource to ${what} in one way`,
      'use -i "name | version | type | workspace", --id type:version:name:workspace, -f FILE, or -t TYPE -n NAME [-w WS]',
    )
  }
  try {
    // An identifier carries its own workspace (public when it names none).
    if (flags.identifier !== undefined) return [parseIdentifier(flags.identifier)]
    if (flags.id !== undefined) return [parseId(flags.id)]
    if (flags.manifestFile !== undefined) {
      const reports = lintManifestFlags({...flags, manifestFile: flags.manifestFile})
      return reports.map((r) => {
        if (!r.type || !r.version || !r.name)
          throw new UsageError(`${r.file}${r.line ? `:${r.line}` : ''}: not a manifest with a type, version and name`)
        return r.workspace === undefined
          ? {type: r.type, version: r.version, name: r.name}
          : {type: r.type, version: r.version, name: r.name, workspace: r.workspace}
      })
    }
    if (!flags.type) throw new UsageError(`-n needs -t: the type of the resource to ${what}`)
    return [refFromFlags(flags.type, flags.name!, flags.workspace ?? contextWorkspace(), flags.version)]
  } catch (error) {
    if (error instanceof IdentifierError) throw new UsageError(error.message)
    throw error
  }
}
