// `drover get`: list resources (the caller's own, or -a every owner's) as a table, JSON or
// YAML; -d adds the stored manifest, status and events of each; -r refreshes until Ctrl-C.
import type {ResourceEvent, ResourceObject} from '../../api/types.js'
import type {DroverClient} from '../../client/client.js'
import {parseIdentifier, parseId, IdentifierError} from '../../resources/identifiers.js'
import {findKind} from '../../resources/registry.js'
import {NotFoundError, UsageError} from '../errors.js'
import {seconds} from '../flags-parse.js'
import type {Io, Outcome} from '../io.js'
import {renderResources} from '../output/resources.js'
import {PLAIN, type Palette, palette} from '../output/colour.js'
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
    if (q.name !== undefined && items.length === 0)
      throw new NotFoundError(
        `${q.type} ${JSON.stringify(q.name)} not found${q.workspace ? ` in workspace ${q.workspace}` : ''}${q.owner ? ` owned by ${q.owner}` : ''}`,
      )
  }
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
  return renderResources(result.items, p.colours)
}

export async function get(flags: GetFlags, io: Io): Promise<Outcome> {
  query(flags) // usage errors before connecting
  // The YAML printer only when YAML is printed: the table is what most calls want, and fast.
  const printers: Printers = {
    stringify: flags.output === 'yaml' || flags.details ? (await import('../output/yaml.js')).stringify : () => '',
    ...(flags.details && flags.output !== 'yaml' && !io.json ? {table: await smallTable()} : {}),
    colours: flags.output === 'table' && !io.json ? await palette() : PLAIN,
  }
  return withClient(io, async (client) => {
    let result = await fetchOnce(client, flags)
    if (result.items.length === 0 && !io.json && flags.output !== 'yaml')
      io.note(`no ${query(flags).type} found${flags.all ? '' : ' owned by you (use -a for every owner)'}`)
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
