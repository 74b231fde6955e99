import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ServerMigrate extends BaseCommand {
  static override summary = 'Copy a local SQLite store into PostgreSQL.'
  static override description =
    'Copies users and their API keys, and every resource with its status, events and rollout history, into the PostgreSQL store of --to. Secret values are copied encrypted: the control planes on PostgreSQL need the same encryption key. Run again, it copies only what changed (each item in a transaction of its own, so an interrupted run is finished by the next). The control plane of the SQLite store must be stopped.'

  static override examples = [
    '<%= config.bin %> server migrate --to postgres://drover@db.example/drover',
    '<%= config.bin %> server migrate --from sqlite:///var/lib/drover/drover.db  # the target from DROVER_STORE_URL',
  ]

  static override flags = {
    from: Flags.string({
      summary: 'The SQLite store: sqlite://PATH or a path (default: drover.db in the data folder).',
    }),
    to: Flags.string({summary: 'The PostgreSQL store: postgres://user:password@host/db (default DROVER_STORE_URL).'}),
    'data-dir': Flags.string({summary: 'Data folder (default $XDG_DATA_HOME/drover); also DROVER_DATA_DIR.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerMigrate)
    const {serverMigrate} = await import('../../cli/actions/server.js')
    return this.runAction(serverMigrate, flags)
  }
}
