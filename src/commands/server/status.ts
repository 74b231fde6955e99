import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ServerStatus extends BaseCommand {
  static override summary = 'Say whether the control plane runs, where, since when, and which one leads.'
  static override description =
    'The local control plane, or the one the current context points at when it is remote (and no --data-dir is given). With a PostgreSQL store it lists every control plane sharing the store, which one leads the scheduler, since when, and the lease epoch. Exit code 0 when it runs and is ready, 5 when it does not run or is not ready.'
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
