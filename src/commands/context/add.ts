import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ContextAdd extends BaseCommand {
  static override summary = 'Add a context: a control plane URL and its API key.'
  static override examples = [
    '<%= config.bin %> context add -n prod --url https://drover.example.com --api-key-file ~/.prod-key --use',
    '<%= config.bin %> context add -n team --url https://drover.example.com --api-key-file ~/.team-key -w team-a',
  ]

  static override flags = {
    name: Flags.string({char: 'n', summary: 'Context name.', required: true}),
    url: Flags.string({summary: 'Control plane URL.', required: true}),
    'api-key': Flags.string({
      summary: 'API key (prefer --api-key-file: a key on the command line lands in shell history).',
    }),
    'api-key-file': Flags.string({summary: 'File holding the API key, or - for standard input.'}),
    use: Flags.boolean({summary: 'Make it the current context.'}),
    workspace: Flags.string({
      char: 'w',
      summary: 'The workspace commands use in this context when -w is not given (default public).',
    }),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ContextAdd)
    const {contextAdd} = await import('../../cli/actions/context.js')
    return this.runAction(contextAdd, flags)
  }
}
