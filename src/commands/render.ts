import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {disableInterpolationFlag, manifestFileOptions, recursiveFlag, workspaceFlag} from '../cli/flags.js'

export default class Render extends BaseCommand {
  static override summary = 'Print the Kubernetes objects of workers, offline.'
  static override description =
    'Renders each worker in the files given as the objects the control plane applies on a Kubernetes compute: a Deployment, a ConfigMap for its files, a Secret per consumed secret, an HorizontalPodAutoscaler when it autoscales and a PodDisruptionBudget when it runs more than one replica. Needs no control plane and no cluster, for GitOps and kubectl diff. Stacks, computes and secrets come from the same files, or are built in (the node and command stacks, the runnable-default compute); secret values are never printed: the Secrets carry masked values, and the revision label reflects the values given.'

  static override examples = [
    '<%= config.bin %> render -f worker.yaml',
    '<%= config.bin %> render -f compute.yaml -f worker.yaml --compute kube-runnable',
    '<%= config.bin %> render -f worker.yaml -o json | kubectl diff -f -',
  ]

  static override flags = {
    manifestFile: Flags.string({...manifestFileOptions, required: true}),
    recursive: recursiveFlag,
    workspace: workspaceFlag,
    compute: Flags.string({summary: "Render on this compute instead of each worker's own (from the files given)."}),
    'disable-interpolation': disableInterpolationFlag,
    output: Flags.string({char: 'o', summary: 'Output format.', options: ['yaml', 'json'], default: 'yaml'}),
  }

  /** -o is render's output (kubectl's spelling): `-o json` asks for JSON as --output json does. */
  public override jsonEnabled(): boolean {
    const argv = this.argv
    const i = argv.findIndex((a) => a === '-o' || a === '-ojson' || a === '-o=json')
    return super.jsonEnabled() || (i >= 0 && (argv[i] !== '-o' || argv[i + 1] === 'json'))
  }

  async run() {
    const {flags} = await this.parse(Render)
    const {render} = await import('../cli/actions/render.js')
    return this.runAction(render, flags)
  }
}
