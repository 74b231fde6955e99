// Where the CLI sends requests. In order: DROVER_URL (+ DROVER_APIKEY) for CI; the current
// context of contexts.json (`drover context use`, `drover login`); else the local control
// plane, started in the background when it is not running.
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {localFiles} from '../api/local.js'
import {DEFAULT_WORKSPACE} from '../resources/registry.js'
import {InvalidInputError} from './errors.js'

type Env = Readonly<Record<string, string | undefined>>

export const LOCAL = 'local'

interface Context {
  url: string
  apiKey?: string
  /** The workspace commands use when -w is not given (kubectl's namespace of a context). */
  workspace?: string
}

export interface ContextsFile {
  current?: string
  contexts: Record<string, Context>
  /** The local control plane's context: only its default workspace. */
  local?: {workspace?: string}
}

export function readContexts(env: Env = process.env): ContextsFile {
  const {contexts} = localFiles(env)
  if (!existsSync(contexts)) return {contexts: {}}
  try {
    const parsed = JSON.parse(readFileSync(contexts, 'utf8')) as ContextsFile
    return {
      current: parsed.current,
      contexts: parsed.contexts ?? {},
      ...(parsed.local?.workspace ? {local: {workspace: parsed.local.workspace}} : {}),
    }
  } catch (error) {
    throw new InvalidInputError(`${contexts}: not a contexts file (${(error as Error).message})`, {
      hint: 'fix or remove it',
    })
  }
}

/** Written 0600 and atomically: it holds API keys. */
export function writeContexts(file: ContextsFile, env: Env = process.env): void {
  const {contexts} = localFiles(env)
  mkdirSync(dirname(contexts), {recursive: true, mode: 0o700})
  const tmp = `${contexts}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, {mode: 0o600})
  chmodSync(tmp, 0o600)
  renameSync(tmp, contexts)
}

export type Target = (
  | {kind: 'remote'; name: string; url: string; apiKey?: string}
  | {kind: 'local'; name: typeof LOCAL}
) & {workspace?: string}

export function resolveTarget(env: Env = process.env): Target {
  if (env.DROVER_URL)
    return {kind: 'remote', name: 'DROVER_URL', url: env.DROVER_URL, apiKey: env.DROVER_APIKEY || undefined}
  const file = readContexts(env)
  if (file.current && file.current !== LOCAL) {
    const context = file.contexts[file.current]
    if (!context)
      throw new InvalidInputError(`the current context ${JSON.stringify(file.current)} does not exist`, {
        hint: 'drover context use -n NAME, or -n local',
      })
    return {
      kind: 'remote',
      name: file.current,
      url: context.url,
      apiKey: env.DROVER_APIKEY || context.apiKey,
      ...(context.workspace ? {workspace: context.workspace} : {}),
    }
  }
  return {kind: 'local', name: LOCAL, ...(file.local?.workspace ? {workspace: file.local.workspace} : {})}
}

/**
 * The workspace a command uses when neither -w nor the manifest names one: the current
 * context's (`drover context use -n NAME -w WS`), else public. A broken contexts file is
 * reported when the command connects, not here.
 */
export function contextWorkspace(env: Env = process.env): string {
  try {
    return resolveTarget(env).workspace ?? DEFAULT_WORKSPACE
  } catch {
    return DEFAULT_WORKSPACE
  }
}

export function localAdminKey(env: Env = process.env): string | undefined {
  const {adminKey} = localFiles(env)
  return existsSync(adminKey) ? readFileSync(adminKey, 'utf8').trim() : undefined
}
