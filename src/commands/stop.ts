import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../cli/flags.js'

export default class Stop extends BaseCommand {
  static override summary = 'Stop every replica of a worker, and keep the worker.'
  static override description =
    'Stops the replicas (SIGTERM, then SIGKILL after the grace period) and keeps the worker, its manifest and its history; get shows it stopped:0/0 until drover start. An apply of its file does not start it again (pm2 stop, nomad job stop without -purge).'

  static override examples = [
    '<%= config.bin %> stop -n my-worker',
    '<%= config.bin %> stop -i "my-worker | v1beta | worker | public"',
  ]

  static override flags = {
    ...workerFlags(),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Stop)
    const {workerAction} = await import('../cli/actions/worker-actions.js')
    return this.runAction(workerAction('stop'), flags)
  }
}
