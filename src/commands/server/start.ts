import {Flags} from '@oclif/core'
import {textOrJsonFlag} from '../../cli/flags.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class ServerStart extends BaseCommand {
  static override summary = 'Start the local control plane.'
  static override description =
    `Runs the control plane in the foreground (logs on the terminal, Ctrl-C stops it), or with --detach in the background, with a pid file and a log file in the data folder. Settings come from flags, DROVER_* environment variables (DROVER_PORT, DROVER_HOST, DROVER_DATA_DIR, DROVER_LOG_LEVEL, …) and a config file ($XDG_CONFIG_HOME/drover/server.yaml, or --config). It listens on 127.0.0.1:7424 by default.`

  static override examples = [
    '<%= config.bin %> server start --detach',
    '<%= config.bin %> server start --port 8080 --log-level debug',
    '<%= config.bin %> server start --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem',
    '<%= config.bin %> server start --ha --store postgres://drover@db/drover --config /etc/drover/server.yaml',
  ]

  static override flags = {
    detach: Flags.boolean({summary: 'Run in the background; return once it is ready.'}),
    host: Flags.string({summary: 'Address to listen on (default 127.0.0.1).'}),
    port: Flags.string({summary: 'Port to listen on (default 7424; 0 picks a free one).'}),
    'data-dir': Flags.string({summary: 'Data folder (default $XDG_DATA_HOME/drover).'}),
    'log-level': Flags.string({summary: 'fatal, error, warn, info (default), debug, trace or silent.'}),
    config: Flags.string({summary: 'Config file (YAML or JSON) with the same settings.'}),
    store: Flags.string({
      summary: 'Where resources are kept: sqlite (default, in the data folder) or postgres://user:password@host/db.',
    }),
    'tls-cert': Flags.string({summary: 'PEM certificate: serve HTTPS (with --tls-key).'}),
    'tls-key': Flags.string({summary: 'PEM private key of --tls-cert.'}),
    insecure: Flags.boolean({
      summary: 'Serve plain HTTP on an address other than loopback (API keys then cross the network in clear).',
    }),
    ha: Flags.boolean({
      summary:
        'Highly available: one of several control planes on one PostgreSQL store (--store); one leads the scheduler, workers run on Kubernetes.',
    }),
    'single-tenant': Flags.boolean({
      summary:
        'Not root: let non-admin users write workers, which run as the control plane’s own user (trust every writer).',
    }),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(ServerStart)
    const {serverStart} = await import('../../cli/actions/server.js')
    return this.runAction(serverStart, flags)
  }
}
