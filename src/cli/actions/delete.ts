// `drover delete`: by -i, --id, -f (every document of the files) or -t/-n/-w.
import type {DeleteResponse} from '../../api/types.js'
import {ClientApiError} from '../../client/errors.js'
import {formatRef} from '../../resources/identifiers.js'
import {EXIT, type ExitCode, UsageError} from '../errors.js'
import {formatDuration, parseDuration} from '../output/units.js'
import type {Io, Outcome} from '../io.js'
import {resourceLabel} from '../output/resources.js'
import {type RefFlags, refsFromFlags} from '../refs.js'
import {cliError, withClient} from '../remote.js'

export interface DeleteFlags extends RefFlags {
  force: boolean
  wait?: boolean
  timeout?: string
}

interface Deleted {
  id: string
  label: string
  result: 'deleted' | 'not found' | 'refused'
  message?: string
  skipped: string[]
  /** With --wait, for a worker: whether its replicas stopped in time. */
  replicasStopped?: boolean
}

export async function deleteResources(flags: DeleteFlags, io: Io): Promise<Outcome> {
  const refs = refsFromFlags(flags, 'delete')
  let waitMs: number | undefined
  if (flags.wait) {
    waitMs = flags.timeout === undefined ? 300_000 : parseDuration(flags.timeout)
    if (waitMs === undefined || waitMs < 1000)
      throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: a duration of 1s or more, such as 90s or 5m`)
  } else if (flags.timeout !== undefined) throw new UsageError('--timeout goes with --wait')
  const results: Deleted[] = []
  let exitCode: ExitCode = EXIT.ok
  await withClient(io, async (client) => {
    for (const ref of refs) {
      const label = resourceLabel(ref)
      try {
        const response: DeleteResponse = await client.delete(ref, {
          force: flags.force,
          ...(waitMs === undefined ? {} : {waitMs}),
        })
        results.push({
          id: formatRef(ref),
          label,
          result: 'deleted',
          skipped: response.skipped,
          ...(response.replicasStopped === undefined ? {} : {replicasStopped: response.replicasStopped}),
        })
        if (response.replicasStopped === false && exitCode === EXIT.ok) exitCode = EXIT.invalid
      } catch (error) {
        if (!(error instanceof ClientApiError)) throw error
        const mapped = cliError(error) as {exitCode?: ExitCode}
        if (exitCode === EXIT.ok) exitCode = mapped.exitCode ?? EXIT.invalid
        results.push({
          id: formatRef(ref),
          label,
          result: error.status === 404 ? 'not found' : 'refused',
          message: error.body.message,
          skipped: [],
        })
      }
    }
  })
  const render = () =>
    results
      .flatMap((r) => [
        `${r.label}: ${r.result}`,
        ...(r.message && r.result !== 'not found' ? [`  ${r.message}`] : []),
        ...r.skipped.map((s) => `  --force skipped the dependency check: ${s}`),
        ...(r.replicasStopped === undefined
          ? []
          : [
              `${r.label}: ${r.replicasStopped ? 'replicas stopped' : `replicas still stopping after ${formatDuration(waitMs!)}`}`,
            ]),
      ])
      .join('\n')
  return {data: {resources: results.map(({label, ...rest}) => rest)}, render, exitCode}
}
