import {BaseCommand} from '../../cli/base-command.js'
import {textOrJsonFlag} from '../../cli/flags.js'

export default class UserList extends BaseCommand {
  static override summary = 'List users, their permissions and how many keys each holds (admins only).'
  static override examples = ['<%= config.bin %> user list', '<%= config.bin %> user list --output json']

  static override flags = {output: textOrJsonFlag}

  async run() {
    const {flags} = await this.parse(UserList)
    const {userList} = await import('../../cli/actions/user.js')
    return this.runAction(userList, flags)
  }
}
