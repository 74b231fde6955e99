import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {
  disableInterpolationFlag,
  manifestFileOptions,
  recursiveFlag,
  textOrJsonFlag,
  typeOptions,
} from '../cli/flags.js'

export default class Delete extends BaseCommand {
  static override hiddenAliases = ['resource:delete']
  static override summary = 'Delete resources.'
  static override description =
    `Deletes the resources named by -i, --id, -f (every document of the files) or -t/-n/-w. A secret or stack that workers still use is not deleted (the error names them) unless --force, which says what it skipped.`

  static override examples = [
    '<%= config.bin %> delete -i "my-worker | v1beta | worker | public"',
    '<%= config.bin %> delete --id worker:v1beta:my-worker:public',
    '<%= config.bin %> delete -f worker.yaml',
    '<%= config.bin %> delete -t worker -n my-worker -w public',
    '<%= config.bin %> delete -f worker.yaml --wait --timeout 2m',
  ]

  static override flags = {
    identifier: Flags.string({
      char: 'i',
      summary: 'The resource as "name | version | type | workspace" (or type:version:name:workspace).',
    }),
    id: Flags.string({summary: 'The resource as type:version:name:workspace.'}),
    manifestFile: Flags.string(manifestFileOptions),
    recursive: recursiveFlag,
    type: Flags.string(typeOptions),
    name: Flags.string({char: 'n', summary: 'Name of the resource (with -t).'}),
    workspace: Flags.string({char: 'w', summary: 'Workspace (default public).'}),
    version: Flags.string({char: 'v', summary: 'Schema version (default: the type’s).'}),
    force: Flags.boolean({summary: 'Delete even though workers still use it.'}),
    wait: Flags.boolean({summary: 'Return once a deleted worker’s replicas have stopped (exit 1 at the timeout).'}),
    timeout: Flags.string({summary: 'How long --wait waits (default 5m; e.g. 90s).'}),
    'disable-interpolation': disableInterpolationFlag,
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Delete)
    const {deleteResources} = await import('../cli/actions/delete.js')
    return this.runAction(deleteResources, flags)
  }
}
