import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag} from '../cli/flags.js'

export default class Whoami extends BaseCommand {
  static override summary = 'Show the user the CLI acts as, where, and its permissions.'
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --output json']

  static override flags = {output: textOrJsonFlag}

  async run() {
    const {flags} = await this.parse(Whoami)
    const {whoami} = await import('../cli/actions/user.js')
    return this.runAction(whoami, flags)
  }
}
