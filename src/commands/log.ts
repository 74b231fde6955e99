import {Flags} from '@oclif/core'
import {workerFlags} from '../cli/flags.js'
import {BaseCommand} from '../cli/base-command.js'

export default class Log extends BaseCommand {
  static override summary = "Print a worker's logs, every replica's, each line prefixed with its replica."
  static override description =
    `Prints the last lines of every replica's log (--tailLines, default 300; -1 for all), then with -f follows them as they are written, replicas started meanwhile included, until Ctrl-C. --previous prints the log of each replica's instance before its last restart.`

  static override hiddenAliases = ['logs', 'resource:log']
  static override examples = [
    '<%= config.bin %> log -t worker -n my-worker -w public -f',
    '<%= config.bin %> log -n my-worker --replica 1 --previous',
    '<%= config.bin %> log -i "my-worker | v1beta | worker | public" -l 50',
  ]

  static override flags = {
    ...workerFlags(),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new lines until interrupted.'}),
    tailLines: Flags.string({char: 'l', summary: 'Lines per replica from the end (default 300; -1 for all).'}),
    replica: Flags.string({summary: 'Only this replica index (0, 1, …).'}),
    previous: Flags.boolean({summary: 'The log of the instance before the last restart.'}),
    output: Flags.string({
      summary: 'Output format: text, or json (one JSON object per line: replica, message).',
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
