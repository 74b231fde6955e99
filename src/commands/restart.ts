import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../cli/flags.js'

export default class Restart extends BaseCommand {
  static override summary = 'Replace every replica of a worker, one at a time.'
  static override description =
    'A rolling restart without a change of manifest (kubectl rollout restart, pm2 reload): a new replica starts, and once it is ready an old one stops, until all are new. If the new ones crash-loop, the old ones keep running and get shows the rollout blocked.'

  static override examples = [
    '<%= config.bin %> restart -n my-worker',
    '<%= config.bin %> restart -i "my-worker | v1beta | worker | public"',
  ]

  static override flags = {
    ...workerFlags(),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Restart)
    const {workerAction} = await import('../cli/actions/worker-actions.js')
    return this.runAction(workerAction('restart'), flags)
  }
}
