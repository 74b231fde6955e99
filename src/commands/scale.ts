import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../cli/flags.js'

export default class Scale extends BaseCommand {
  static override summary = 'Set the number of replicas of a worker.'
  static override description =
    'Changes the stored worker’s replicas, as kubectl scale does: replicas start or stop at once (new ones first, one at a time), and the next apply of its file sets the count the file says. An autoscaled worker is refused: its autoScaling minReplicas and maxReplicas bound what the autoscaler chooses.'

  static override examples = [
    '<%= config.bin %> scale -n my-worker --replicas 3',
    '<%= config.bin %> scale -i "my-worker | v1beta | worker | public" --replicas 0',
  ]

  static override flags = {
    ...workerFlags(),
    replicas: Flags.string({summary: 'Replicas wanted (0 or more).', required: true}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Scale)
    const {workerAction} = await import('../cli/actions/worker-actions.js')
    return this.runAction(workerAction('scale'), flags)
  }
}
