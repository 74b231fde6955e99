import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ServerStop extends BaseCommand {
  static override summary = 'Stop the local control plane gracefully.'
  static override description = 'Replicas keep running (the next control plane adopts them) unless --stop-workers.'
  static override examples = ['<%= config.bin %> server stop', '<%= config.bin %> server stop --timeout 60 --force']

  static override flags = {
    'data-dir': Flags.string({summary: 'Data folder (default $XDG_DATA_HOME/drover); also DROVER_DATA_DIR.'}),
    timeout: Flags.string({summary: 'Seconds to wait for it to stop (default 30).'}),
    force: Flags.boolean({summary: 'SIGKILL it if it has not stopped in time.'}),
    'stop-workers': Flags.boolean({
      summary: 'Stop every replica first (by default they keep running and the next control plane adopts them).',
    }),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerStop)
    const {serverStop} = await import('../../cli/actions/server.js')
    return this.runAction(serverStop, flags)
  }
}
