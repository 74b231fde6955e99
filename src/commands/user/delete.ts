import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {textOrJsonFlag} from '../../cli/flags.js'

export default class UserDelete extends BaseCommand {
  static override summary = 'Delete a user; its keys stop working at once (admins only).'
  static override description =
    'What the user owns stays, owned by its name. The local admin cannot be deleted, nor can an admin delete itself.'

  static override examples = ['<%= config.bin %> user delete -n ci']

  static override flags = {
    name: Flags.string({char: 'n', summary: 'The user.', required: true}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(UserDelete)
    const {userDelete} = await import('../../cli/actions/user.js')
    return this.runAction(userDelete, flags)
  }
}
