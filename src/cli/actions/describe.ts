// `drover describe`: one resource as kubectl describes one: what it asks for, its conditions,
// its replicas (workers) and its events with counts and ages.
import type {ResourceEvent, ResourceObject, RuntimeView} from '../../api/types.js'
import type {RefQuery} from '../../client/client.js'
import {IdentifierError, parseId, parseIdentifier} from '../../resources/identifiers.js'
import {findKind} from '../../resources/registry.js'
import {contextWorkspace} from '../context.js'
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {type Palette, paintStatus, palette} from '../output/colour.js'
import {type RenderTable, smallTable} from '../output/small-table.js'
import {age} from '../../api/columns.js'
import {formatBytes, formatCores} from '../output/units.js'
import {withClient} from '../remote.js'

export interface DescribeFlags {
  type?: string
  name?: string
  workspace?: string
  identifier?: string
  id?: string
}

function refOf(flags: DescribeFlags): RefQuery {
  try {
    if (flags.identifier !== undefined) return parseIdentifier(flags.identifier)
    if (flags.id !== undefined) return parseId(flags.id)
  } catch (error) {
    if (error instanceof IdentifierError) throw new UsageError(error.message)
    throw error
  }
  if (!flags.name)
    throw new UsageError('name the resource: -t TYPE -n NAME [-w WS], -i "name | version | type | workspace" or --id')
  const type = flags.type ?? 'worker'
  const kind = findKind(type)
  if (!kind) throw new UsageError(`unknown type ${JSON.stringify(type)}`)
  return kind.scope === 'instance'
    ? {type, name: flags.name}
    : {type, name: flags.name, workspace: flags.workspace ?? contextWorkspace()}
}

interface Described {
  resource: ResourceObject
  events: ResourceEvent[]
  runtime?: RuntimeView
}

/** kubectl describe's event age: `12s`, or `12s (x5 over 3m)` for a repeated one. */
function eventAge(e: ResourceEvent, now: number): string {
  return e.count && e.firstTime ? `${age(e.time, now)} (x${e.count} over ${age(e.firstTime, now)})` : age(e.time, now)
}

function render({resource, events, runtime}: Described, table: RenderTable, colours: Palette): string {
  const now = Date.now()
  const m = resource.manifest
  const meta = resource.metadata
  const s = resource.status
  const worker = (m.worker ?? {}) as {
    stack?: string
    compute?: string
    replicas?: number
    autoScaling?: {enabled?: boolean; minReplicas?: number; maxReplicas?: number}
    autoscaling?: {enabled?: boolean; minReplicas?: number; maxReplicas?: number}
  }
  const scaling = worker.autoScaling ?? worker.autoscaling
  const field = (label: string, value: string | undefined) =>
    value === undefined || value === '' ? [] : [`${`${label}:`.padEnd(14)}${value}`]
  const indent = (text: string) =>
    text
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')
  const lines = [
    ...field('Name', String(m.name)),
    ...field('Type', `${m.type} (${m.version})`),
    ...field('Workspace', meta.workspace),
    ...field('Owner', meta.owner),
    ...field('Created', `${meta.createdAt} (${age(meta.createdAt, now)} ago)`),
    ...field(
      'Generation',
      `${meta.generation}${s.observedGeneration !== undefined ? ` (observed ${s.observedGeneration})` : ''}`,
    ),
    ...field('Status', paintStatus(colours, String(s.phase))),
  ]
  if (m.type === 'worker') {
    lines.push(
      ...field('Stack', worker.stack),
      ...field('Compute', worker.compute),
      ...field(
        'Replicas',
        `${s.desiredReplicas ?? worker.replicas ?? 1} desired | ${s.readyReplicas ?? 0} ready | ${s.replicas ?? 0} running${s.stopped === true ? ' (stopped: drover start runs it)' : ''}`,
      ),
      ...(scaling && scaling.enabled !== false
        ? field('Autoscaling', `${scaling.minReplicas ?? 1} to ${scaling.maxReplicas} replicas`)
        : []),
      ...field('Revision', runtime?.revision),
      ...field('Last error', s.lastError),
    )
  }
  const conditions = s.conditions ?? []
  if (conditions.length > 0)
    lines.push(
      'Conditions:',
      indent(
        table(
          ['TYPE', 'STATUS', 'REASON', 'MESSAGE'],
          conditions.map((c) => [c.type, c.status, c.reason, c.message]),
        ),
      ),
    )
  if (runtime)
    lines.push(
      'Replicas:',
      runtime.replicas.length === 0
        ? '  <none>'
        : indent(
            table(
              ['REPLICA', 'PID', 'PHASE', 'READY', 'RESTARTS', 'CPU', 'MEMORY', 'AGE'],
              runtime.replicas.map((r) => [
                r.name,
                r.pid === undefined ? '-' : String(r.pid),
                paintStatus(colours, r.phase + (r.crashLooping ? ' (crash-looping)' : '')),
                r.ready ? 'yes' : 'no',
                String(r.restarts),
                formatCores(r.cpuCores),
                formatBytes(r.memoryBytes),
                r.startedAt ? age(r.startedAt, now) : '-',
              ]),
            ),
          ),
    )
  lines.push(
    'Events:',
    events.length === 0
      ? '  <none>'
      : indent(
          table(
            ['TYPE', 'REASON', 'AGE', 'MESSAGE'],
            events.map((e) => [e.type, e.reason, eventAge(e, now), e.message]),
          ),
        ),
  )
  return lines.join('\n')
}

export async function describe(flags: DescribeFlags, io: Io): Promise<Outcome> {
  const ref = refOf(flags)
  const described = await withClient(io, async (client): Promise<Described> => {
    const resource = await client.get(ref)
    const [events, runtime] = await Promise.all([
      client.events(ref),
      ref.type === 'worker' ? client.runtime(ref) : Promise.resolve(undefined),
    ])
    return {resource, events: events.items, ...(runtime ? {runtime} : {})}
  })
  if (io.json) return {data: described, render: () => ''}
  const [table, colours] = await Promise.all([smallTable(), palette()])
  return {data: described, render: () => render(described, table, colours)}
}
