// `drover context add|use|list|remove` and `drover login`: which control plane the CLI talks to.
import {readFileSync} from 'node:fs'
import {DroverClient} from '../../client/client.js'
import {LOCAL, readContexts, resolveTarget, writeContexts} from '../context.js'
import {InvalidInputError, NotFoundError, UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {smallTable} from '../output/small-table.js'
import {cliError} from '../remote.js'
import {DEFAULT_WORKSPACE} from '../../resources/registry.js'

function apiKeyFrom(flags: {'api-key'?: string; 'api-key-file'?: string}): string | undefined {
  if (flags['api-key'] !== undefined && flags['api-key-file'] !== undefined)
    throw new UsageError('give --api-key or --api-key-file, not both')
  if (flags['api-key-file'] !== undefined) {
    try {
      return readFileSync(flags['api-key-file'] === '-' ? 0 : flags['api-key-file'], 'utf8').trim()
    } catch (error) {
      throw new InvalidInputError(
        `${flags['api-key-file']}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      )
    }
  }
  return flags['api-key']
}

function checkUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL; e.g. https://drover.example.com`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url must be http:// or https://, not ${parsed.protocol}`)
  return url.replace(/\/+$/, '')
}

export interface AddFlags {
  name: string
  url: string
  'api-key'?: string
  'api-key-file'?: string
  use: boolean
  workspace?: string
}

export async function contextAdd(flags: AddFlags): Promise<Outcome> {
  if (flags.name === LOCAL) throw new UsageError(`"${LOCAL}" is the built-in local control plane; choose another name`)
  const file = readContexts()
  const apiKey = apiKeyFrom(flags)
  file.contexts[flags.name] = {
    url: checkUrl(flags.url),
    ...(apiKey ? {apiKey} : {}),
    ...(flags.workspace ? {workspace: flags.workspace} : {}),
  }
  if (flags.use) file.current = flags.name
  writeContexts(file)
  return {
    data: {name: flags.name, url: flags.url, current: file.current === flags.name},
    render: () => `context ${flags.name} added${flags.use ? ' and in use' : ''}`,
  }
}

export async function contextUse(flags: {name: string; workspace?: string}): Promise<Outcome> {
  const file = readContexts()
  const context = file.contexts[flags.name]
  if (flags.name !== LOCAL && !context)
    throw new NotFoundError(
      `no context named ${flags.name}`,
      `known: ${[LOCAL, ...Object.keys(file.contexts)].join(', ')}`,
    )
  file.current = flags.name
  if (flags.workspace !== undefined) {
    // public is the default: kept as no setting at all.
    const workspace = flags.workspace === DEFAULT_WORKSPACE ? undefined : flags.workspace
    if (context) {
      if (workspace) context.workspace = workspace
      else delete context.workspace
    } else if (workspace) file.local = {workspace}
    else delete file.local
  }
  writeContexts(file)
  const workspace = (context ? context.workspace : file.local?.workspace) ?? DEFAULT_WORKSPACE
  return {
    data: {current: flags.name, workspace},
    render: () => `using context ${flags.name} (workspace ${workspace})`,
  }
}

export async function contextRemove(flags: {name: string}): Promise<Outcome> {
  const file = readContexts()
  if (!file.contexts[flags.name]) throw new NotFoundError(`no context named ${flags.name}`)
  delete file.contexts[flags.name]
  if (file.current === flags.name) file.current = undefined
  writeContexts(file)
  return {data: {removed: flags.name}, render: () => `context ${flags.name} removed`}
}

export async function contextList(): Promise<Outcome> {
  const file = readContexts()
  const target = resolveTarget()
  const current = target.name
  const rows = [
    {
      name: LOCAL,
      url: '(embedded control plane, started on demand)',
      workspace: file.local?.workspace ?? DEFAULT_WORKSPACE,
      current: current === LOCAL,
    },
    ...Object.entries(file.contexts).map(([name, c]) => ({
      name,
      url: c.url,
      workspace: c.workspace ?? DEFAULT_WORKSPACE,
      current: current === name,
    })),
  ]
  if (target.kind === 'remote' && target.name === 'DROVER_URL')
    rows.push({name: 'DROVER_URL', url: target.url, workspace: DEFAULT_WORKSPACE, current: true})
  const renderTable = await smallTable()
  return {
    data: {current, contexts: rows},
    render: () =>
      renderTable(
        ['CURRENT', 'NAME', 'URL', 'WORKSPACE'],
        rows.map((r) => [r.current ? '*' : '', r.name, r.url, r.workspace]),
      ),
  }
}

export async function login(
  flags: {url: string; name?: string; 'api-key'?: string; 'api-key-file'?: string},
  io: Io,
): Promise<Outcome> {
  const url = checkUrl(flags.url)
  const apiKey = apiKeyFrom(flags)
  if (!apiKey) throw new UsageError('give the API key: --api-key-file FILE (- for standard input) or --api-key KEY')
  const client = new DroverClient({url, apiKey})
  let who: Awaited<ReturnType<DroverClient['whoami']>>
  try {
    who = await client.whoami()
  } catch (error) {
    throw cliError(error)
  } finally {
    client.close()
  }
  const name = flags.name ?? new URL(url).hostname.replace(/[^a-z0-9-]/gi, '-').toLowerCase()
  await contextAdd({name, url, 'api-key': apiKey, use: true})
  if (!io.json) io.note(`logged in to ${url} as ${who.user}${who.admin ? ' (admin)' : ''}; context ${name} is in use`)
  return {data: {context: name, url, user: who.user}, render: () => ''}
}
