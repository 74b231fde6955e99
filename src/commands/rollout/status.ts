import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../../cli/flags.js'

export default class RolloutStatus extends BaseCommand {
  static override summary = 'Wait until a worker’s current generation is rolled out and ready.'
  static override description =
    'As kubectl rollout status: progress on stderr as it changes (1/3 ready), then whether the rollout completed. Exit 1 when it crash-loops, is blocked (the old replicas keep running) or is not done at the timeout.'

  static override examples = [
    '<%= config.bin %> rollout status -n my-worker',
    '<%= config.bin %> rollout status -i "my-worker | v1beta | worker | public" --timeout 2m',
  ]

  static override flags = {
    ...workerFlags(),
    timeout: Flags.string({summary: 'How long to wait (default 5m; e.g. 90s).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(RolloutStatus)
    const {rolloutStatus} = await import('../../cli/actions/rollout.js')
    return this.runAction(rolloutStatus, flags)
  }
}
