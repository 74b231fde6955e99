import {Flags} from '@oclif/core'
import {workerFlags} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class GetRuntime extends BaseCommand {
  static override hiddenAliases = ['resource:get:runtime', 'runtime:get']
  static override summary = 'Show the replicas of a worker: pid, phase, restarts, last exit, CPU, memory.'
  static override description =
    'Reads what the runtime reports now: per replica its id, pid, phase, readiness, restarts, last exit code and reason, CPU (cores), memory, and when it started.'
  static override examples = [
    '<%= config.bin %> get runtime -t worker -n my-worker -w public',
    '<%= config.bin %> get runtime -i "my-worker | v1beta | worker | public" --output json',
    '<%= config.bin %> get runtime -n my-worker --watch',
  ]

  static override flags = {
    ...workerFlags(),
    output: Flags.string({summary: 'Output format.', options: ['table', 'json'], default: 'table'}),
    watch: Flags.boolean({
      summary: 'After the table, print a row per replica that changes, as it changes (JSON lines with --output json).',
    }),
  }

  async run() {
    const {flags} = await this.parse(GetRuntime)
    const {getRuntime} = await import('../../cli/actions/runtime.js')
    return this.runAction(getRuntime, flags)
  }
}
