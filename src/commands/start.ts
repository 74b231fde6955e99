import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../cli/flags.js'

export default class Start extends BaseCommand {
  static override summary = 'Start a stopped worker again.'
  static override description =
    'Starts the replicas a stopped worker asks for (its replicas, or the autoscaler’s bounds). A worker that is not stopped is left as it is.'

  static override examples = [
    '<%= config.bin %> start -n my-worker',
    '<%= config.bin %> start -i "my-worker | v1beta | worker | public"',
  ]

  static override flags = {
    ...workerFlags(),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Start)
    const {workerAction} = await import('../cli/actions/worker-actions.js')
    return this.runAction(workerAction('start'), flags)
  }
}
