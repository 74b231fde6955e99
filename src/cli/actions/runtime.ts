// `drover get runtime` and `drover log`: what the replicas of a worker do.
import type {ReplicaView, RuntimeView} from '../../api/types.js'
import type {DroverClient, RefQuery} from '../../client/client.js'
import {ClientApiError} from '../../client/errors.js'
import {IdentifierError, parseId, parseIdentifier} from '../../resources/identifiers.js'
import {contextWorkspace} from '../context.js'
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {resourceLabel} from '../output/resources.js'
import {PLAIN, type Palette, paintStatus, palette} from '../output/colour.js'
import {type RenderTable, smallTable} from '../output/small-table.js'
import {age} from '../../api/columns.js'
import {formatBytes, formatCores, parseDuration} from '../output/units.js'
import {withClient} from '../remote.js'

export interface WorkerFlags {
  type?: string
  name?: string
  workspace?: string
  identifier?: string
  id?: string
}

export function workerRef(flags: WorkerFlags): RefQuery {
  let ref: {type: string; name: string; workspace?: string}
  try {
    if (flags.identifier !== undefined) ref = parseIdentifier(flags.identifier)
    else if (flags.id !== undefined) ref = parseId(flags.id)
    else {
      if (!flags.name)
        throw new UsageError('name the worker: -n NAME [-w WORKSPACE], -i "name | v1beta | worker | workspace" or --id')
      ref = {type: flags.type ?? 'worker', name: flags.name, workspace: flags.workspace ?? contextWorkspace()}
    }
  } catch (error) {
    if (error instanceof IdentifierError) throw new UsageError(error.message)
    throw error
  }
  if (ref.type !== 'worker') throw new UsageError(`only workers have replicas; -t ${ref.type} has none`)
  return ref
}

function renderRuntime(view: RuntimeView, renderTable: RenderTable, colours: Palette): string {
  const [type, version, name, workspace] = view.id.split(':')
  const s = view.status
  const head = [
    `${resourceLabel({name, version, type, workspace})}: ${paintStatus(colours, s.phase)}, ${s.readyReplicas ?? 0}/${s.desiredReplicas ?? 0} replicas ready${view.revision ? `, revision ${view.revision}` : ''}`,
    ...(s.lastError ? [`last error: ${s.lastError}`] : []),
    `limits: memory ${view.limits.memory}, cpu ${view.limits.cpu}`,
    ...(s.conditions ?? [])
      .filter(
        (c) =>
          (c.type === 'LimitsEnforced' && c.status === 'False') || (c.type === 'CrashLooping' && c.status === 'True'),
      )
      .map((c) => `${c.type}: ${c.message}`),
    ...(view.usageUnavailable ? [`usage: n/a: ${view.usageUnavailable}`] : []),
  ]
  if (view.replicas.length === 0) return `${head.join('\n')}\n\nno replicas`
  const now = Date.now()
  return `${head.join('\n')}\n\n${renderTable(
    replicaColumns(view),
    view.replicas.map((r) => replicaRow(view, r, now, colours)),
  )}`
}

/** A pod (Kubernetes) shows its node where a process shows its pid. */
const onCluster = (view: RuntimeView) =>
  view.replicas.some((r) => r.node !== undefined) || view.usageUnavailable !== undefined
const replicaColumns = (view: RuntimeView) => [
  'REPLICA',
  onCluster(view) ? 'NODE' : 'PID',
  'PHASE',
  'READY',
  'RESTARTS',
  'LAST EXIT',
  'CPU',
  'MEMORY',
  'STARTED',
]

function replicaRow(view: RuntimeView, r: ReplicaView, now: number, colours: Palette): string[] {
  const na = view.usageUnavailable !== undefined
  return [
    r.name,
    onCluster(view) ? (r.node ?? '-') : r.pid === undefined ? '-' : String(r.pid),
    paintStatus(colours, r.phase + (r.crashLooping ? ' (crash-looping)' : '')),
    r.ready ? 'yes' : 'no',
    String(r.restarts),
    r.lastExit
      ? `${r.lastExit.signal ?? r.lastExit.code ?? '?'} ${r.lastExit.reason} ${age(r.lastExit.at, now)} ago`
      : '-',
    na ? 'n/a' : formatCores(r.cpuCores),
    na ? 'n/a' : formatBytes(r.memoryBytes),
    r.startedAt
      ? age(r.startedAt, now)
      : r.nextStartAt
        ? `restart in ${Math.max(0, Math.round((Date.parse(r.nextStartAt) - now) / 100) / 10)}s`
        : '-',
  ]
}

/** What a watch compares: what the replica is, not its CPU, memory or age, which move all the time. */
const replicaState = (r: ReplicaView) =>
  JSON.stringify([
    r.pid,
    r.node,
    r.phase,
    r.crashLooping,
    r.ready,
    r.restarts,
    r.lastExit?.at,
    r.nextStartAt !== undefined,
  ])

/**
 * get runtime --watch: the table once, then a row per replica that changes, as it changes
 * (kubectl get pods -w), polling every second; a replica that is gone is printed once more,
 * `Gone`. JSON prints each change as a line of its own. Ends when the worker is deleted (its
 * replicas printed gone).
 */
async function watchRuntime(
  client: DroverClient,
  ref: RefQuery,
  first: RuntimeView,
  io: Io,
  renderTable: RenderTable,
  colours: Palette,
): Promise<Outcome> {
  const out = (line: string) => process.stdout.write(`${line}\n`)
  const print = (type: 'ADDED' | 'MODIFIED' | 'DELETED', r: ReplicaView) => {
    if (io.json) return out(JSON.stringify({type, replica: r}))
    const row = replicaRow(first, r, Date.now(), colours)
    if (type === 'DELETED') row[2] = paintStatus(colours, 'Gone')
    out(renderTable(replicaColumns(first), [row]).split('\n').at(-1)!)
  }
  if (io.json) for (const r of first.replicas) print('ADDED', r)
  else out(renderRuntime(first, renderTable, colours))
  let known = new Map(first.replicas.map((r) => [r.name, r]))
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    let view: RuntimeView
    try {
      view = await client.runtime(ref)
    } catch (error) {
      if (error instanceof ClientApiError && error.status === 404) {
        for (const r of known.values()) print('DELETED', r)
        io.note(`worker ${ref.name} was deleted: nothing more to watch`)
        return {data: undefined, render: () => ''}
      }
      throw error
    }
    const now = new Map(view.replicas.map((r) => [r.name, r]))
    for (const r of view.replicas) {
      const before = known.get(r.name)
      if (!before) print('ADDED', r)
      else if (replicaState(before) !== replicaState(r)) print('MODIFIED', r)
    }
    for (const [name, r] of known) if (!now.has(name)) print('DELETED', r)
    known = now
  }
}

export async function getRuntime(flags: WorkerFlags & {watch?: boolean}, io: Io): Promise<Outcome> {
  const ref = workerRef(flags)
  if (flags.watch) {
    const [renderTable, colours] = await Promise.all([smallTable(), io.json ? PLAIN : palette()])
    return withClient(io, async (client) =>
      watchRuntime(client, ref, await client.runtime(ref), io, renderTable, colours),
    )
  }
  const view = await withClient(io, (client) => client.runtime(ref))
  if (io.json) return {data: view, render: () => ''}
  const [renderTable, colours] = await Promise.all([smallTable(), palette()])
  return {data: view, render: () => renderRuntime(view, renderTable, colours)}
}

export interface LogFlags extends WorkerFlags {
  follow: boolean
  tailLines?: string
  replica?: string
  previous: boolean
  timestamps?: boolean
  since?: string
  'all-revisions'?: boolean
}

/** --since: a duration back from now (10m) or a time (RFC 3339), as the query kubectl sends. */
function sinceQuery(text: string | undefined): {sinceSeconds?: number; sinceTime?: string} {
  if (text === undefined) return {}
  const ms = parseDuration(text)
  if (ms !== undefined) return {sinceSeconds: Math.ceil(ms / 1000)}
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text)))
    return {sinceTime: new Date(text).toISOString()}
  throw new UsageError(
    `--since ${JSON.stringify(text)}: a duration (30s, 10m, 2h) or an RFC 3339 time (2026-11-24T08:00:00Z)`,
  )
}

export async function log(flags: LogFlags, io: Io): Promise<Outcome> {
  const ref = workerRef(flags)
  const since = sinceQuery(flags.since)
  // --since alone means every line since then, as kubectl's.
  const tail = flags.tailLines === undefined ? (flags.since === undefined ? 300 : -1) : Number(flags.tailLines)
  if (!Number.isInteger(tail) || tail < -1)
    throw new UsageError(`--tailLines ${JSON.stringify(flags.tailLines)}: a whole number of lines, or -1 for all`)
  const replica = flags.replica === undefined ? undefined : Number(flags.replica)
  if (replica !== undefined && (!Number.isInteger(replica) || replica < 0))
    throw new UsageError(`--replica ${JSON.stringify(flags.replica)}: a replica index (0, 1, …)`)
  if (flags.follow && flags.previous)
    throw new UsageError('--previous shows logs that are finished; it does not go with --follow')
  const {write, flush} = io.json ? jsonLines() : {write: (text: string) => process.stdout.write(text), flush: () => {}}
  // Only a followed log ends on Ctrl-C as a success; any other request is simply interrupted.
  const controller = new AbortController()
  const stop = () => controller.abort()
  if (flags.follow) {
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }
  try {
    await withClient(io, async (client) => {
      // Alongside: which replicas wait to restart, whose current log is empty or stale.
      const waiting =
        flags.previous || io.json
          ? Promise.resolve()
          : client.runtime(ref).then(
              (view) => noteWaiting(view, ref, replica, io),
              () => {}, // the log request reports what is wrong
            )
      await client.logs(
        ref,
        {
          tailLines: tail,
          ...(replica !== undefined ? {replica} : {}),
          previous: flags.previous,
          follow: flags.follow,
          // JSON lines carry the time in a field of their own.
          timestamps: flags.timestamps === true || io.json,
          allRevisions: flags['all-revisions'] === true,
          ...since,
        },
        write,
        controller.signal,
      )
      await waiting
    })
    flush()
    if (flags.follow && !controller.signal.aborted && !io.json)
      io.note('drover: the log ended: the worker was deleted, or the control plane stopped')
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  // The lines went to stdout as they came; nothing is left to print.
  return {data: undefined, render: () => ''}
}

/** Says which replicas are waiting to restart, and where their last run's lines are. */
function noteWaiting(view: RuntimeView, ref: RefQuery, replica: number | undefined, io: Io): void {
  const now = Date.now()
  for (const r of view.replicas) {
    if (r.phase !== 'Waiting' || (replica !== undefined && r.index !== replica)) continue
    const exit = r.lastExit ? `last exit: ${r.lastExit.signal ?? `code ${r.lastExit.code}`} ${r.lastExit.reason}; ` : ''
    const next = r.nextStartAt
      ? `restarts in ${Math.max(0, Math.round((Date.parse(r.nextStartAt) - now) / 1000))}s`
      : 'restarting'
    io.note(
      `drover: replica ${r.name} is waiting to restart (${exit}${next}); its last run's lines: drover log -n ${ref.name}${ref.workspace && ref.workspace !== 'public' ? ` -w ${ref.workspace}` : ''} --replica ${r.index} --previous`,
    )
  }
}

/**
 * `log --output json`: one JSON object per line,
 * `{"replica":"w-1a2b3c4d-0","time":"2026-11-24T08:42:06.140Z","message":"…"}`, from the
 * `[replica] time message` lines the control plane sends (a line may arrive in pieces); a line
 * stored without a time has none.
 */
function jsonLines(): {write: (text: string) => void; flush: () => void} {
  let partial = ''
  const emit = (line: string) => {
    const m = /^\[([^\]]*)\] ?(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) )?(.*)$/s.exec(line)
    const entry = m ? {replica: m[1], ...(m[2] ? {time: m[2]} : {}), message: m[3]} : {message: line}
    process.stdout.write(`${JSON.stringify(entry)}\n`)
  }
  return {
    write: (text) => {
      const lines = (partial + text).split('\n')
      partial = lines.pop()!
      for (const line of lines) emit(line)
    },
    flush: () => {
      if (partial) emit(partial)
      partial = ''
    },
  }
}
