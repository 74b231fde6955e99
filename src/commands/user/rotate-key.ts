import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {textOrJsonFlag} from '../../cli/flags.js'

export default class UserRotateKey extends BaseCommand {
  static override summary = 'Issue a new API key and revoke the older ones at once.'
  static override description =
    'Prints the new key once, on standard output; every other key of the user stops working before the answer arrives. Without -n, your own key: the current context (drover login) is given the new one. Admins rotate anyone’s key but the local admin’s.'

  static override examples = ['<%= config.bin %> user rotate-key', '<%= config.bin %> user rotate-key -n ci > ci.key']

  static override flags = {
    name: Flags.string({char: 'n', summary: 'The user (default: yourself).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(UserRotateKey)
    const {userRotateKey} = await import('../../cli/actions/user.js')
    return this.runAction(userRotateKey, flags)
  }
}
