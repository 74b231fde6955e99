// `drover rollout status`: waits for a worker's current generation to be rolled out and ready,
// with progress, as kubectl rollout status does; the same rule as apply --wait.
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {resourceLabel} from '../output/resources.js'
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
