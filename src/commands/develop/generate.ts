import {Flags} from '@oclif/core'
import {stringify} from 'yaml'
import {BaseCommand} from '../../cli/base-command.js'
import {UsageError} from '../../cli/errors.js'
import {schemaModeline} from '../../cli/schema-files.js'
import {typeOptions} from '../../cli/flags.js'
import {nameProblem} from '../../resources/names.js'
import {findKind} from '../../resources/registry.js'
import {starterManifest} from '../../resources/starters.js'

export default class DevelopGenerate extends BaseCommand {
  static override summary = 'Print a starter manifest.'
  static override description = 'Prints a small, valid manifest of the given type, with the modeline that lets editors validate it.'
  static override examples = ['<%= config.bin %> develop generate -t worker -n my-worker > my-worker.yaml']

  static override flags = {
    type: Flags.string({...typeOptions, required: true}),
    name: Flags.string({char: 'n', summary: 'Name of the resource.', required: true}),
    version: Flags.string({char: 'v', summary: 'Schema version (default: the newest).'}),
  }

  async run() {
    const {flags} = await this.parse(DevelopGenerate)
    const kind = findKind(flags.type)!
    const version = flags.version ?? kind.versions[0]!
    if (!kind.versions.includes(version)) throw new UsageError(`${kind.type} has no version ${version}; supported: ${kind.versions.join(', ')}`)
    const bad = nameProblem(flags.name)
    if (bad) throw new UsageError(`--name ${JSON.stringify(flags.name)}: ${bad}`)
    const manifest = starterManifest(kind.type, version, flags.name)!
    return this.finish(manifest, (m) => `${schemaModeline(kind.type, version)}\n${stringify(m, {lineWidth: 0})}`)
  }
}
