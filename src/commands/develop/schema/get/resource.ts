import {Flags} from '@oclif/core'
import {BaseCommand} from '../../../../cli/base-command.js'
import {typeOptions, textOrJsonFlag} from '../../../../cli/flags.js'

export default class DevelopSchemaGetResource extends BaseCommand {
  static override hiddenAliases = ['develop:get:resource']
  static override summary = 'Print the JSON Schema of a resource type as the control plane validates it.'
  static override examples = ['<%= config.bin %> develop schema get resource -t worker -v v1beta']

  static override flags = {
    type: Flags.string({...typeOptions, required: true}),
    version: Flags.string({char: 'v', summary: 'Schema version (default: the newest).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(DevelopSchemaGetResource)
    const {fetchSchema} = await import('../../../../cli/actions/develop.js')
    return this.runAction(fetchSchema, flags)
  }
}
