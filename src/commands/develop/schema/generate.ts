import {Flags} from '@oclif/core'
import {BaseCommand} from '../../../cli/base-command.js'
import {textOrJsonFlag, typeOptions} from '../../../cli/flags.js'

export default class DevelopSchemaGenerate extends BaseCommand {
  static override summary = 'Print the JSON Schema of a resource type.'
  static override description =
    `Generates the draft-07 JSON Schema of a resource type and version from drover's resource model, for CI validation and editors (yaml-language-server). The same files are committed in schemas/.`

  static override examples = [
    '<%= config.bin %> develop schema generate -t worker -v v1beta',
    '<%= config.bin %> develop schema generate -t worker -v v1beta --out worker.schema.json',
  ]

  static override flags = {
    type: Flags.string({...typeOptions, required: true}),
    version: Flags.string({char: 'v', summary: 'Schema version (default: the newest).'}),
    out: Flags.string({summary: 'Write the schema to this file instead of standard output.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(DevelopSchemaGenerate)
    const {generateSchema} = await import('../../../cli/actions/develop.js')
    return this.runAction(generateSchema, flags)
  }
}
