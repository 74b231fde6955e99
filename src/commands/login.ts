import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../cli/flags.js'
import {BaseCommand} from '../cli/base-command.js'

export default class Login extends BaseCommand {
  static override summary = 'Check an API key against a control plane and make it the current context.'
  static override examples = ['<%= config.bin %> login --url https://drover.example.com --api-key-file - < key.txt']

  static override flags = {
    url: Flags.string({summary: 'Control plane URL.', required: true}),
    name: Flags.string({char: 'n', summary: 'Context name (default: the host name).'}),
    'api-key': Flags.string({summary: 'API key (prefer --api-key-file).'}),
    'api-key-file': Flags.string({summary: 'File holding the API key, or - for standard input.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Login)
    const {login} = await import('../cli/actions/context.js')
    return this.runAction(login, flags)
  }
}
