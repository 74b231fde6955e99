import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ContextUse extends BaseCommand {
  static override summary = 'Make a context current (local: the embedded control plane).'
  static override hiddenAliases = ['context:select']
  static override examples = ['<%= config.bin %> context use -n prod', '<%= config.bin %> context use -n local']

  static override flags = {
    name: Flags.string({char: 'n', summary: 'Context name.', required: true}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ContextUse)
    const {contextUse} = await import('../../cli/actions/context.js')
    return this.runAction(contextUse, flags)
  }
}
