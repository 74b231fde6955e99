import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ContextRemove extends BaseCommand {
  static override summary = 'Remove a context.'
  static override hiddenAliases = ['context:delete']
  static override examples = ['<%= config.bin %> context remove -n prod']

  static override flags = {
    name: Flags.string({char: 'n', summary: 'Context name.', required: true}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ContextRemove)
    const {contextRemove} = await import('../../cli/actions/context.js')
    return this.runAction(contextRemove, flags)
  }
}
