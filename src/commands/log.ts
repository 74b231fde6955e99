import {Flags} from '@oclif/core'
import {workerFlags} from '../cli/flags.js'
import {BaseCommand} from '../cli/base-command.js'

export default class Log extends BaseCommand {
  static override summary = "Print a worker's logs, every replica's, each line prefixed with its replica."
  static override description =
    `Prints the last lines of the log of every replica of the current revision (--tailLines per replica, default 300; -1 for all), interleaved by the time each line was written, then with -f follows them as they are written, replicas started meanwhile included, until Ctrl-C. --previous prints the log of each replica's instance before its last restart. Every line is stored with its time: --timestamps shows it, --since keeps the lines of the last 10m (or since an RFC 3339 time), --all-revisions adds the replicas of older revisions still running (a rollout).`

  static override hiddenAliases = ['logs', 'resource:log']
  static override examples = [
    '<%= config.bin %> log -t worker -n my-worker -w public -f',
    '<%= config.bin %> log -n my-worker --replica 1 --previous',
    '<%= config.bin %> log -i "my-worker | v1beta | worker | public" -l 50',
    '<%= config.bin %> log -n my-worker --since 10m --timestamps',
  ]

  static override flags = {
    ...workerFlags(),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new lines until interrupted.'}),
    tailLines: Flags.string({char: 'l', summary: 'Lines per replica from the end (default 300; -1 for all).'}),
    replica: Flags.string({summary: 'Only this replica index (0, 1, …).'}),
    previous: Flags.boolean({summary: 'The log of the instance before the last restart.'}),
    timestamps: Flags.boolean({summary: 'Each line with the time it was written (RFC 3339, UTC).'}),
    since: Flags.string({
      summary: 'Only lines written in the last 30s, 10m, 2h, or since an RFC 3339 time (all of them: no tail).',
    }),
    'all-revisions': Flags.boolean({
      summary: 'Also the replicas of older revisions still running (a rollout); by default the current one’s.',
    }),
    output: Flags.string({
      summary: 'Output format: text, or json (one JSON object per line: replica, time, message).',
      options: ['text', 'json'],
      default: 'text',
    }),
  }

  async run() {
    const {flags} = await this.parse(Log)
    const {log} = await import('../cli/actions/runtime.js')
    return this.runAction(log, flags)
  }
}
