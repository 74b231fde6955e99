import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'

export default class ContextList extends BaseCommand {
  static override summary = 'List contexts; the current one is starred.'
  static override examples = ['<%= config.bin %> context list']

  static override flags = {
    output: Flags.string({summary: 'Output format.', options: ['text', 'json'], default: 'text'}),
  }

  async run() {
    await this.parse(ContextList)
    const {contextList} = await import('../../cli/actions/context.js')
    return this.runAction(contextList, {})
  }
}
