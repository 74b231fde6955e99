// `drover delete`: by -i, --id, -f (every document of the files) or -t/-n/-w.
import type {DeleteResponse} from '../../api/types.js'
import {ClientApiError} from '../../client/errors.js'
import {formatRef} from '../../resources/identifiers.js'
import {EXIT, type ExitCode} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {resourceLabel} from '../output/resources.js'
import {type RefFlags, refsFromFlags} from '../refs.js'
import {cliError, withClient} from '../remote.js'

export interface DeleteFlags extends RefFlags {
  force: boolean
}

interface Deleted {
  id: string
  label: string
  result: 'deleted' | 'not found' | 'refused'
  message?: string
  skipped: string[]
}

export async function deleteResources(flags: DeleteFlags, io: Io): Promise<Outcome> {
  const refs = refsFromFlags(flags, 'delete')
  const results: Deleted[] = []
  let exitCode: ExitCode = EXIT.ok
  await withClient(io, async (client) => {
    for (const ref of refs) {
      const label = resourceLabel(ref)
      try {
        const response: DeleteResponse = await client.delete(ref, {force: flags.force})
        results.push({id: formatRef(ref), label, result: 'deleted', skipped: response.skipped})
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
      ])
      .join('\n')
  return {data: {resources: results.map(({label, ...rest}) => rest)}, render, exitCode}
}
