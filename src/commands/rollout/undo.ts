import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {textOrJsonFlag, workerFlags} from '../../cli/flags.js'

export default class RolloutUndo extends BaseCommand {
  static override summary = 'Roll a worker back to its previous revision, or to --to-revision.'
  static override description =
    'As kubectl rollout undo: the revision’s manifest is applied again (validated as any apply) with the worker’s replica count as it is now, rolled out one replica at a time, and becomes the newest revision. Nothing happens when that revision is already in force.'

  static override examples = [
    '<%= config.bin %> rollout undo -n my-worker',
    '<%= config.bin %> rollout undo -n my-worker --to-revision 2',
  ]

  static override flags = {
    ...workerFlags(),
    'to-revision': Flags.string({summary: 'The revision to roll back to (default: the previous one).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(RolloutUndo)
    const {rolloutUndo} = await import('../../cli/actions/rollout.js')
    return this.runAction(rolloutUndo, flags)
  }
}
