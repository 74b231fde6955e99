import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ContextList extends BaseCommand {
  static override summary = 'List contexts; the current one is starred.'
  static override examples = ['<%= config.bin %> context list']

  static override flags = {
    output: textOrJsonFlag,
  }

  async run() {
    await this.parse(ContextList)
    const {contextList} = await import('../../cli/actions/context.js')
    return this.runAction(contextList, {})
  }
}
