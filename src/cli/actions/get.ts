// `drover get`: list resources (the caller's own, or -a every owner's) as a table, JSON or
// YAML; -d adds the stored manifest, status and events of each; -r refreshes until Ctrl-C.
import type {ResourceEvent, ResourceObject} from '../../api/types.js'
import type {DroverClient} from '../../client/client.js'
import {parseIdentifier, parseId, IdentifierError} from '../../resources/identifiers.js'
import {findKind} from '../../resources/registry.js'
import {NotFoundError, UsageError} from '../errors.js'
import {seconds} from '../flags-parse.js'
import type {Io, Outcome} from '../io.js'
import {getColumns, renderResources, resourceRow} from '../output/resources.js'
import {renderTable} from '../output/table.js'
import {PLAIN, type Palette, paintStatus, palette} from '../output/colour.js'
import {type RenderTable, smallTable} from '../output/small-table.js'
import {withClient} from '../remote.js'

export interface GetFlags {
  type?: string
  name?: string
  workspace?: string
  identifier?: string
  id?: string
  all: boolean
  owner?: string
  details: boolean
  refresh: boolean
  refreshRate?: string
  unSanitize: boolean
  output: string
  selector?: string
  'sort-by'?: string
  watch?: boolean
}

/** -l/--selector: every `tag` present, every `!tag` absent; `key=value` matches the tag `key:value`. */
function selectorOf(text: string | undefined): ((r: ResourceObject) => boolean) | undefined {
  if (text === undefined) return undefined
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  if (terms.length === 0) throw new UsageError('--selector needs a tag: -l team:data, -l !deprecated, -l tier=gold')
  return (r) => {
    const tags = new Set(Array.isArray(r.manifest.tags) ? r.manifest.tags.map(String) : [])
    const has = (t: string) => tags.has(t) || (t.includes('=') && tags.has(t.replace('=', ':')))
    return terms.every((t) => (t.startsWith('!') ? !has(t.slice(1)) : has(t)))
  }
}

const SORT_COLUMNS: Record<string, (r: ResourceObject) => string | number> = {
  name: (r) => String(r.manifest.name),
  age: (r) => -Date.parse(r.metadata.createdAt), // youngest last, as kubectl's AGE reads
  status: (r) => r.status.phase,
  runtime: (r) => r.status.phase,
  owner: (r) => r.metadata.owner,
  workspace: (r) => r.metadata.workspace ?? '',
  type: (r) => String(r.manifest.type),
}

/** --sort-by: a column, or a field path as kubectl takes it (`.metadata.createdAt`, `{.manifest.name}`). */
function sorterOf(text: string | undefined): ((a: ResourceObject, b: ResourceObject) => number) | undefined {
  if (text === undefined) return undefined
  let key = SORT_COLUMNS[text.toLowerCase()]
  if (!key) {
    const path = text.replace(/^\{|\}$/g, '').replace(/^\./, '')
    if (!/^(manifest|metadata|status)(\.[A-Za-z0-9_-]+)+$/.test(path))
      throw new UsageError(
        `--sort-by ${JSON.stringify(text)}: a column (${Object.keys(SORT_COLUMNS).join(', ')}) or a field such as .manifest.worker.replicas`,
      )
    key = (r) => {
      let v: unknown = r
      for (const part of path.split('.'))
        v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined
      return typeof v === 'number' ? v : v === undefined ? '' : String(v)
    }
  }
  return (a, b) => {
    const x = key(a)
    const y = key(b)
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x).localeCompare(String(y))
  }
}

interface Detailed {
  resource: ResourceObject
  events: ResourceEvent[]
}

function query(flags: GetFlags) {
  let {type, name, workspace} = flags
  try {
    const ref =
      flags.identifier !== undefined
        ? parseIdentifier(flags.identifier)
        : flags.id !== undefined
          ? parseId(flags.id)
          : undefined
    if (ref) ({type, name, workspace} = ref)
  } catch (error) {
    if (error instanceof IdentifierError) throw new UsageError(error.message)
    throw error
  }
  if (!type) throw new UsageError('say which type to get: -t worker (or stack, secret), or -i/--id')
  if (!findKind(type)) throw new UsageError(`unknown type ${JSON.stringify(type)}`)
  return {type, name, workspace, all: flags.all, owner: flags.owner}
}

async function fetchOnce(
  client: DroverClient,
  flags: GetFlags,
  /** A watch: a name that no longer exists is not an error. */
  watching = false,
): Promise<{items: ResourceObject[]; details?: Detailed[]}> {
  const q = query(flags)
  let items: ResourceObject[]
  if (flags.unSanitize && q.name) {
    // Secret values come only from a single get that asks for them.
    items = [await client.get({type: q.type, name: q.name, workspace: q.workspace}, true)]
  } else {
    // A resource named exactly is shown whoever owns it (kubectl get TYPE NAME), and is an
    // error (exit 3) when it does not exist; listings filter by owner.
    const all = q.all || (q.name !== undefined && q.owner === undefined)
    items = await client.listAll({type: q.type, name: q.name, workspace: q.workspace, all, owner: q.owner})
    if (q.name !== undefined && items.length === 0 && !watching)
      throw new NotFoundError(
        `${q.type} ${JSON.stringify(q.name)} not found${q.workspace ? ` in workspace ${q.workspace}` : ''}${q.owner ? ` owned by ${q.owner}` : ''}`,
      )
  }
  const selected = selectorOf(flags.selector)
  if (selected) items = items.filter(selected)
  const sorter = sorterOf(flags['sort-by'])
  if (sorter) items = [...items].sort(sorter)
  if (!flags.details) return {items}
  const details = await Promise.all(
    items.map(async (resource) => ({
      resource,
      events: (
        await client.events({
          type: q.type,
          name: String(resource.manifest.name),
          workspace: resource.metadata.workspace,
        })
      ).items,
    })),
  )
  return {items, details}
}

type Stringify = (value: unknown, options: {lineWidth: number}) => string

function renderDetails(details: readonly Detailed[], stringify: Stringify, renderTable: RenderTable): string {
  return details
    .map(({resource, events}) => {
      const m = resource.metadata
      const head = `# ${resource.manifest.name}:${resource.manifest.version}:${resource.manifest.type}\n# ${m.id}\n`
      const body = stringify(
        {
          ...resource.manifest,
          owner: m.owner,
          ...(m.workspace ? {workspace: m.workspace} : {}),
          metadata: {
            uid: m.uid,
            generation: m.generation,
            resourceVersion: m.resourceVersion,
            createdAt: m.createdAt,
            updatedAt: m.updatedAt,
          },
          status: resource.status,
        },
        {lineWidth: 0},
      )
      const table = events.length
        ? renderTable(
            ['TIME', 'TYPE', 'REASON', 'MESSAGE'],
            events.map((e) => [
              e.time,
              e.type,
              e.reason,
              e.count ? `${e.message} (x${e.count} since ${e.firstTime})` : e.message,
            ]),
          )
        : '(no events)'
      return `${head}${body}\nEVENTS\n${table}`
    })
    .join('\n---\n')
}

interface Printers {
  stringify: Stringify
  /** cli-table3, for the events of -d. */
  table?: RenderTable
  colours: Palette
}

function render(flags: GetFlags, result: {items: ResourceObject[]; details?: Detailed[]}, p: Printers): string {
  if (flags.output === 'yaml') return p.stringify(result.details ?? result.items, {lineWidth: 0})
  if (result.details) return renderDetails(result.details, p.stringify, p.table!)
  return renderResources(result.items, p.colours, flags.output === 'wide')
}

/** A row's identity, and what a watch compares (every column but AGE). */
const rowKey = (r: ResourceObject) => r.metadata.id
const rowState = (r: ResourceObject, wide: boolean) => {
  const cells = resourceRow(r, 0, wide)
  cells.splice(7, 1) // AGE changes every second without anything happening
  return cells.join('|')
}

/**
 * --watch: the table once, then a line per resource that changes, as it changes (kubectl get
 * -w), polling every second; a deleted resource is printed once more, `deleted`. JSON prints
 * each changed object on a line of its own. Ends when interrupted.
 */
async function watch(
  client: DroverClient,
  flags: GetFlags,
  first: ResourceObject[],
  printers: Printers,
  json: boolean,
): Promise<never> {
  const wide = flags.output === 'wide'
  const state = new Map(first.map((r) => [rowKey(r), rowState(r, wide)]))
  const print = (r: ResourceObject, deleted = false) => {
    if (json) {
      process.stdout.write(
        `${JSON.stringify(deleted ? {type: 'DELETED', object: r} : {type: 'MODIFIED', object: r})}\n`,
      )
      return
    }
    const row = resourceRow(r, Date.now(), wide)
    if (deleted) row[5] = 'deleted'
    const lines = renderTable(getColumns(wide), [row], 'pipes', (column, text) =>
      column === 4 || column === 5 ? paintStatus(printers.colours, text) : text,
    ).split('\n')
    process.stdout.write(`${lines.at(-1)}\n`)
  }
  let known = new Map(first.map((r) => [rowKey(r), r]))
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const {items} = await fetchOnce(client, {...flags, details: false}, true)
    const now = new Map(items.map((r) => [rowKey(r), r]))
    for (const r of items) {
      const s = rowState(r, wide)
      if (state.get(rowKey(r)) !== s) {
        state.set(rowKey(r), s)
        print(r)
      }
    }
    for (const [id, r] of known)
      if (!now.has(id)) {
        state.delete(id)
        print(r, true)
      }
    known = now
  }
}

export async function get(flags: GetFlags, io: Io): Promise<Outcome> {
  query(flags) // usage errors before connecting
  selectorOf(flags.selector)
  sorterOf(flags['sort-by'])
  if (flags.watch && (flags.refresh || flags.details || flags.output === 'yaml'))
    throw new UsageError('--watch prints changes as lines: not with -r, -d or --output yaml')
  // The YAML printer only when YAML is printed: the table is what most calls want, and fast.
  const printers: Printers = {
    stringify: flags.output === 'yaml' || flags.details ? (await import('../output/yaml.js')).stringify : () => '',
    ...(flags.details && flags.output !== 'yaml' && !io.json ? {table: await smallTable()} : {}),
    colours: (flags.output === 'table' || flags.output === 'wide') && !io.json ? await palette() : PLAIN,
  }
  return withClient(io, async (client) => {
    let result = await fetchOnce(client, flags)
    if (result.items.length === 0 && !io.json && flags.output !== 'yaml')
      io.note(
        `no ${query(flags).type} found${flags.selector ? ` matching ${flags.selector}` : ''}${flags.all ? '' : ' owned by you (use -a for every owner)'}`,
      )
    if (flags.watch) {
      const json = io.json || flags.output === 'json'
      if (json) for (const r of result.items) process.stdout.write(`${JSON.stringify({type: 'ADDED', object: r})}\n`)
      else if (result.items.length > 0) process.stdout.write(`${render(flags, result, printers)}\n`)
      return watch(client, flags, result.items, printers, json)
    }
    if (flags.refresh && !io.json) {
      // Re-renders every --refreshRate seconds until interrupted, like dataos-ctl get -r.
      const rate = seconds(flags.refreshRate, 5, '--refreshRate') * 1000
      for (;;) {
        const text = render(flags, result, printers)
        process.stdout.write(`${process.stdout.isTTY ? '\u001B[2J\u001B[H' : ''}${new Date().toISOString()}\n${text}\n`)
        await new Promise((r) => setTimeout(r, rate))
        result = await fetchOnce(client, flags)
      }
    }
    const data = flags.details ? result.details : {items: result.items}
    return {data, render: () => render(flags, result, printers)}
  })
}
