import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ServerStatus extends BaseCommand {
  static override summary = 'Say whether the local control plane runs, where, and since when.'
  static override description = 'Exit code 0 when it runs and is ready, 5 when it does not run or is not ready.'
  static override examples = ['<%= config.bin %> server status']

  static override flags = {
    'data-dir': Flags.string({summary: 'Data folder (default $XDG_DATA_HOME/drover); also DROVER_DATA_DIR.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerStatus)
    const {serverStatus} = await import('../../cli/actions/server.js')
    return this.runAction(serverStatus, flags)
  }
}
