// The CLI's entry point (bin/run.js). Plain invocations of the commands in cli/actions run on
// the fast path, without oclif; everything else (help, usage errors, other commands) goes to
// oclif, loaded only then.
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {tryFastPath} from '../cli/fast-path.js'

export async function main(entry: string): Promise<void> {
  const root = dirname(dirname(fileURLToPath(entry)))
  if (!process.env.DROVER_NO_FAST_PATH) {
    const exitCode = await tryFastPath(process.argv.slice(2), root)
    if (exitCode !== undefined) {
      process.exitCode = exitCode
      return
    }
  }
  const {run} = await import('./index.js')
  await run(entry)
}
