import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {
  disableInterpolationFlag,
  manifestFileOptions,
  recursiveFlag,
  textOrJsonFlag,
  workspaceFlag,
} from '../cli/flags.js'

export default class Apply extends BaseCommand {
  static override hiddenAliases = ['resource:apply']
  static override summary = 'Create or update resources from manifests.'
  static override description =
    `Reads every manifest (multi-document YAML or JSON) from the files and folders given with -f, replaces $VAR and \${VAR} with environment variables, and validates each one locally first. --lint and --de-ref stop there and never need a control plane. Otherwise each resource is sent to the control plane (computes and stacks first, then secrets, then workers) and reported as created, updated or unchanged; nothing is sent when any manifest is invalid. Without a context, the local control plane is used and started in the background when it is not running.`

  static override examples = [
    '<%= config.bin %> apply -f worker.yaml -w public',
    '<%= config.bin %> apply --lint -f manifests/ -R',
    '$ cat worker.yaml | <%= config.bin %> apply -l -f -',
    '<%= config.bin %> apply -d -f worker.yaml --output json',
    '<%= config.bin %> apply -f worker.yaml --dry-run',
    '<%= config.bin %> apply -f worker.yaml --wait --timeout 2m',
  ]

  static override flags = {
    manifestFile: Flags.string({...manifestFileOptions, required: true}),
    recursive: recursiveFlag,
    workspace: workspaceFlag,
    lint: Flags.boolean({char: 'l', summary: 'Validate only: print one line per resource, valid or invalid.'}),
    'de-ref': Flags.boolean({
      char: 'd',
      summary: 'Print the resolved manifests (interpolated, defaults filled) instead of applying.',
    }),
    'disable-interpolation': disableInterpolationFlag,
    'dry-run': Flags.boolean({summary: 'Validate on the control plane and print what would change, without storing.'}),
    wait: Flags.boolean({
      summary: 'Wait until each worker’s new generation is ready; fail on a crash loop or at the timeout.',
    }),
    timeout: Flags.string({summary: 'How long --wait waits (default 5m; e.g. 90s).'}),
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Apply)
    const {apply} = await import('../cli/actions/apply.js')
    return this.runAction(apply, flags)
  }
}
