import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ContextUse extends BaseCommand {
  static override summary = 'Make a context current (local: the embedded control plane).'
  static override hiddenAliases = ['context:select']
  static override description =
    'With -w, also sets the workspace commands use in that context when -w is not given (as a kubectl context’s namespace): apply (for manifests that name none), delete, describe, get runtime, log, scale, stop, start, restart and rollout. get without -w still lists every workspace you may read.'
  static override examples = [
    '<%= config.bin %> context use -n prod',
    '<%= config.bin %> context use -n local',
    '<%= config.bin %> context use -n local -w team-a',
  ]

  static override flags = {
    name: Flags.string({char: 'n', summary: 'Context name.', required: true}),
    workspace: Flags.string({char: 'w', summary: 'Its default workspace from now on (public to go back).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ContextUse)
    const {contextUse} = await import('../../cli/actions/context.js')
    return this.runAction(contextUse, flags)
  }
}
