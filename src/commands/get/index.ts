import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {typeOptions} from '../../cli/flags.js'

export default class Get extends BaseCommand {
  static override hiddenAliases = ['resource:get']
  static override summary = 'List resources.'
  static override description =
    `Lists resources of a type: by default your own, with -a everyone's. Columns: NAME, VERSION, TYPE, WORKSPACE, STATUS (active, error), RUNTIME (pending, running:2/3, crashlooping:0/1, dry-run), OWNER, AGE.`

  static override examples = [
    '<%= config.bin %> get -t worker -a',
    '<%= config.bin %> get -t worker -w public -n my-worker -d',
    '<%= config.bin %> get -i "my-worker | v1beta | worker | public" --output yaml',
    '<%= config.bin %> get -t secret -n db -w public --unSanitize --output json',
    '<%= config.bin %> get -t worker -a --output wide --selector team:data --sort-by age',
    '<%= config.bin %> get -t worker --watch',
  ]

  static override flags = {
    type: Flags.string(typeOptions),
    name: Flags.string({char: 'n', summary: 'Only this name.'}),
    workspace: Flags.string({char: 'w', summary: 'Only this workspace (default: every workspace you may read).'}),
    identifier: Flags.string({
      char: 'i',
      summary: 'The resource as "name | version | type | workspace" (or type:version:name:workspace).',
    }),
    id: Flags.string({summary: 'The resource as type:version:name:workspace.'}),
    version: Flags.string({
      char: 'v',
      summary: 'Schema version (accepted for dataos-ctl compatibility; types have one version each).',
    }),
    all: Flags.boolean({char: 'a', summary: 'Every owner, not only you.'}),
    owner: Flags.string({char: 'o', summary: 'Only this owner.'}),
    details: Flags.boolean({char: 'd', summary: 'Print the stored manifest, status and events of each resource.'}),
    refresh: Flags.boolean({char: 'r', summary: 'Print again every --refreshRate seconds until interrupted.'}),
    refreshRate: Flags.string({summary: 'Seconds between refreshes (default 5).'}),
    unSanitize: Flags.boolean({summary: 'Show secret values (needs write access to the workspace; with -n).'}),
    output: Flags.string({
      summary: 'Output format; wide adds REPLICAS, STACK, COMPUTE and REVISION (-o is the owner, as in dataos-ctl).',
      options: ['table', 'wide', 'json', 'yaml'],
      default: 'table',
    }),
    selector: Flags.string({
      char: 'l',
      summary:
        'Only resources with these tags: tag1,tag2 (all of them), !tag (not it); key=value matches the tag key:value.',
    }),
    'sort-by': Flags.string({
      summary:
        'Sort by a column (name, age, status, runtime, owner, workspace) or a field (.manifest.worker.replicas).',
    }),
    watch: Flags.boolean({
      summary: 'After the table, print a line for each resource that changes, as it changes, until interrupted.',
    }),
  }

  async run() {
    const {flags} = await this.parse(Get)
    const {get} = await import('../../cli/actions/get.js')
    return this.runAction(get, flags)
  }
}
