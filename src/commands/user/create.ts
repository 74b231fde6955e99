import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class UserCreate extends BaseCommand {
  static override summary = 'Create a user and print its API key (admins only).'
  static override description =
    'The key is printed once, on standard output; only its hash is stored. A name that exists is refused (exit 4): --update replaces its permissions and says what changed, keeping its keys; user rotate-key issues a new key.'
  static override examples = [
    '<%= config.bin %> user create -n ci --grant public:write > ci.key',
    '<%= config.bin %> user create -n ops --admin',
    '<%= config.bin %> user create -n ci --grant public:read --update',
  ]

  static override flags = {
    name: Flags.string({
      char: 'n',
      summary: 'User name; it becomes the owner of what the user applies.',
      required: true,
    }),
    admin: Flags.boolean({summary: 'Every permission.'}),
    grant: Flags.string({
      char: 'g',
      multiple: true,
      summary: 'WORKSPACE:read or WORKSPACE:write (* for every workspace); repeatable.',
    }),
    update: Flags.boolean({summary: 'Replace the permissions of an existing user (its keys stay).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(UserCreate)
    const {userCreate} = await import('../../cli/actions/user.js')
    return this.runAction(userCreate, flags)
  }
}
