import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ServerInstall extends BaseCommand {
  static override summary = 'Install the control plane as a system service (a systemd unit).'
  static override description =
    'Writes drover.service (Type=notify, Restart=on-failure, a dedicated user, hardened; replicas outlive a restart) into /etc/systemd/system, and prints how to enable it. Settings go in /etc/drover/server.yaml.'
  static override examples = [
    '<%= config.bin %> server install --systemd',
    '<%= config.bin %> server install --systemd --print',
  ]

  static override flags = {
    systemd: Flags.boolean({summary: 'Write a systemd unit.'}),
    user: Flags.string({summary: 'The system user it runs as (default drover).'}),
    'unit-dir': Flags.string({summary: 'Where the unit goes (default /etc/systemd/system).'}),
    'data-dir': Flags.string({summary: 'Its data folder, below /var/lib (default /var/lib/drover).'}),
    'config-dir': Flags.string({summary: 'Its config folder and keys, below /etc (default /etc/drover).'}),
    print: Flags.boolean({summary: 'Print the unit instead of writing it.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerInstall)
    const {serverInstall} = await import('../../cli/actions/server-install.js')
    return this.runAction(serverInstall, flags)
  }
}
