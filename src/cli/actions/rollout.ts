// `drover rollout status|history|undo`, as kubectl rollout: wait for a worker's current generation
// to be rolled out and ready (the same rule as apply --wait), list the revisions kept, roll back.
import {NotFoundError, UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {resourceLabel} from '../output/resources.js'
import {smallTable} from '../output/small-table.js'
import {parseDuration} from '../output/units.js'
import {withClient} from '../remote.js'
import {waitForWorkers} from './apply.js'
import {type WorkerFlags, workerRef} from './runtime.js'

export async function rolloutStatus(flags: WorkerFlags & {timeout?: string}, io: Io): Promise<Outcome> {
  const ref = workerRef(flags)
  const timeoutMs = flags.timeout === undefined ? 300_000 : parseDuration(flags.timeout)
  if (timeoutMs === undefined || timeoutMs <= 0)
    throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: a duration such as 90s or 5m`)
  const result = await withClient(io, async (client) => {
    const resource = await client.get(ref)
    const label = resourceLabel({
      name: ref.name,
      version: String(resource.manifest.version),
      type: 'worker',
      workspace: resource.metadata.workspace,
    })
    const [wait] = await waitForWorkers(client, [{ref, label}], timeoutMs, io)
    return {label, generation: resource.metadata.generation, wait: wait!}
  })
  return {
    data: {generation: result.generation, ...result.wait},
    render: () =>
      `${result.label}: ${result.wait.ready ? 'rolled out' : 'not rolled out'} (generation ${result.generation}): ${result.wait.message}`,
    exitCode: result.wait.ready ? 0 : 1,
  }
}

function revisionOf(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined
  if (!/^[1-9]\d{0,8}$/.test(text))
    throw new UsageError(`${flag} must be a revision number (1, 2, …), not ${JSON.stringify(text)}`)
  return Number(text)
}

/**
 * `drover rollout history`: the revisions a worker keeps (every change of its manifest but the
 * replica count), as kubectl rollout history; `--revision N` prints that revision's manifest.
 */
export async function rolloutHistory(flags: WorkerFlags & {revision?: string}, io: Io): Promise<Outcome> {
  const ref = workerRef(flags)
  const wanted = revisionOf(flags.revision, '--revision')
  const [{items}, table, {stringify}, {age}] = await Promise.all([
    withClient(io, (client) => client.revisions(ref)),
    smallTable(),
    import('../output/yaml.js'),
    import('../../api/columns.js'),
  ])
  if (wanted !== undefined) {
    const one = items.find((r) => r.revision === wanted)
    if (!one)
      throw new NotFoundError(
        `worker ${ref.name} has no revision ${wanted} (kept: ${items.map((r) => r.revision).join(', ') || 'none'})`,
      )
    return {
      data: one,
      render: () =>
        `revision ${one.revision}${one.current ? ' (in force)' : ''}: ${one.cause}, ${one.createdAt}\n${stringify(one.manifest).trimEnd()}`,
    }
  }
  return {
    data: {items},
    render: () =>
      table(
        ['REVISION', 'AGE', 'GENERATION', 'CHANGE-CAUSE'],
        items.map((r) => [`${r.revision}${r.current ? ' *' : ''}`, age(r.createdAt), String(r.generation), r.cause]),
      ),
  }
}

/** `drover rollout undo`: back to the previous revision, or `--to-revision N`, as kubectl rollout undo. */
export async function rolloutUndo(flags: WorkerFlags & {'to-revision'?: string}, io: Io): Promise<Outcome> {
  const ref = workerRef(flags)
  const to = revisionOf(flags['to-revision'], '--to-revision')
  const response = await withClient(io, (client) => client.undo(ref, to))
  const m = response.resource.manifest
  const label = resourceLabel({
    name: String(m.name),
    version: String(m.version),
    type: 'worker',
    workspace: response.resource.metadata.workspace,
  })
  return {
    data: {
      id: response.resource.metadata.id,
      result: response.result,
      changed: response.changed,
      revision: response.revision,
    },
    render: () =>
      `${label}: ${response.result}${response.changed ? ` (now revision ${response.revision}, generation ${response.resource.metadata.generation})` : ''}`,
  }
}
