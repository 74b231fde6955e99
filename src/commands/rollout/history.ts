import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../../cli/flags.js'

export default class RolloutHistory extends BaseCommand {
  static override summary = 'List the revisions a worker keeps, or print one.'
  static override description =
    'As kubectl rollout history: every change of the manifest but its replica count is a revision (the last 11 are kept; * marks the one in force). --revision N prints that revision’s manifest, credentials masked.'

  static override examples = [
    '<%= config.bin %> rollout history -n my-worker',
    '<%= config.bin %> rollout history -n my-worker --revision 2',
  ]

  static override flags = {
    ...workerFlags(),
    revision: Flags.string({summary: 'Print this revision’s manifest.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(RolloutHistory)
    const {rolloutHistory} = await import('../../cli/actions/rollout.js')
    return this.runAction(rolloutHistory, flags)
  }
}
