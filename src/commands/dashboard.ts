import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag} from '../cli/flags.js'

export default class Dashboard extends BaseCommand {
  static override summary = 'Open the Operations page: a one-time login link for the current context.'
  static override description =
    'Prints a link to the control plane’s Operations page (workers, replicas, events, charts and live logs) that logs in once, within a minute, with the permissions of this CLI’s API key; on a desktop it also opens it in the browser. The page also takes an API key on its login form.'

  static override examples = ['<%= config.bin %> dashboard', '<%= config.bin %> dashboard --no-browser']

  static override flags = {
    'no-browser': Flags.boolean({summary: 'Print the link only, even on a desktop.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Dashboard)
    const {dashboard} = await import('../cli/actions/dashboard.js')
    return this.runAction(dashboard, flags)
  }
}
