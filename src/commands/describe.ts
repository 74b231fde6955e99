import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {textOrJsonFlag, typeOptions} from '../cli/flags.js'

export default class Describe extends BaseCommand {
  static override summary = 'Show one resource in detail: its spec, conditions, replicas and events.'
  static override description =
    'kubectl describe’s layout: what the resource asks for, its status and conditions, a worker’s replicas (pid, phase, restarts, CPU, memory), and its events, the repeated ones counted (12s (x5 over 3m)).'

  static override examples = [
    '<%= config.bin %> describe -n my-worker',
    '<%= config.bin %> describe -i "my-worker | v1beta | worker | public"',
    '<%= config.bin %> describe -t secret -n db-credentials -w public',
  ]

  static override flags = {
    type: Flags.string({...typeOptions, summary: 'Resource type (default worker).'}),
    name: Flags.string({char: 'n', summary: 'Name of the resource.'}),
    workspace: Flags.string({char: 'w', summary: 'Workspace (default public).'}),
    identifier: Flags.string({char: 'i', summary: 'The resource as "name | version | type | workspace".'}),
    id: Flags.string({summary: 'The resource as type:version:name:workspace.'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Describe)
    const {describe} = await import('../cli/actions/describe.js')
    return this.runAction(describe, flags)
  }
}
