import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {typeOptions} from '../../cli/flags.js'

export default class DevelopGenerate extends BaseCommand {
  static override summary = 'Print a starter manifest.'
  static override description =
    'Prints a small, valid manifest of the given type, with the modeline that lets editors validate it.'
  static override examples = ['<%= config.bin %> develop generate -t worker -n my-worker > my-worker.yaml']

  static override flags = {
    type: Flags.string({...typeOptions, required: true}),
    name: Flags.string({char: 'n', summary: 'Name of the resource.', required: true}),
    version: Flags.string({char: 'v', summary: 'Schema version (default: the newest).'}),
    output: Flags.string({
      summary: 'Output format: the manifest as YAML, or as JSON.',
      options: ['yaml', 'json'],
      default: 'yaml',
    }),
  }

  async run() {
    const {flags} = await this.parse(DevelopGenerate)
    const {generateStarter} = await import('../../cli/actions/develop.js')
    return this.runAction(generateStarter, flags)
  }
}
