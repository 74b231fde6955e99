import {writeFileSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../../../cli/base-command.js'
import {InvalidInputError, UsageError} from '../../../cli/errors.js'
import {typeOptions} from '../../../cli/flags.js'
import {findKind} from '../../../resources/registry.js'

export default class DevelopSchemaGenerate extends BaseCommand {
  static override summary = 'Print the JSON Schema of a resource type.'
  static override description = `Generates the draft-07 JSON Schema of a resource type and version from drover's resource model,
for CI validation and editors (yaml-language-server). The same files are committed in schemas/.`

  static override examples = [
    '<%= config.bin %> develop schema generate -t worker -v v1beta',
    '<%= config.bin %> develop schema generate -t worker -v v1beta --out worker.schema.json',
  ]

  static override flags = {
    type: Flags.string({...typeOptions, required: true}),
    version: Flags.string({char: 'v', summary: 'Schema version (default: the newest).'}),
    out: Flags.string({summary: 'Write the schema to this file instead of standard output.'}),
  }

  async run() {
    const {flags} = await this.parse(DevelopSchemaGenerate)
    const kind = findKind(flags.type)!
    const version = flags.version ?? kind.versions[0]!
    if (!kind.versions.includes(version)) throw new UsageError(`${kind.type} has no version ${version}; supported: ${kind.versions.join(', ')}`)
    // zod is loaded only here: it costs ~40 ms, which no other command should pay.
    const {jsonSchemaFor} = await import('../../../resources/json-schema.js')
    const schema = jsonSchemaFor(kind.type, version)!
    const text = `${JSON.stringify(schema, null, 2)}\n`
    if (flags.out) {
      try {
        writeFileSync(flags.out, text)
      } catch (error) {
        throw new InvalidInputError(`${flags.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
      }
      this.note(`wrote ${flags.out}`)
      return {file: flags.out}
    }
    if (!this.jsonEnabled()) process.stdout.write(text)
    return schema
  }
}
