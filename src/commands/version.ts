import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag} from '../cli/flags.js'

export default class Version extends BaseCommand {
  static override summary = 'Show the version of the CLI and of the control plane it talks to.'
  static override description =
    'As kubectl version: the CLI’s version, Node and platform, then the control plane’s version and address. The local control plane is asked only if it runs. --client asks no server.'

  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --client --output json']

  static override flags = {
    client: Flags.boolean({summary: 'Only the CLI’s version.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Version)
    const {version} = await import('../cli/actions/version.js')
    return this.runAction(version, flags)
  }
}
