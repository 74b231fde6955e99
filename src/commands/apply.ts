import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {EXIT, UsageError} from '../cli/errors.js'
import {disableInterpolationFlag, manifestFileOptions, recursiveFlag, textOrJsonFlag, workspaceFlag} from '../cli/flags.js'
import {lintFiles} from '../cli/manifests/lint.js'
import {lintJson, lintSummary, renderLintReport, renderManifestsYaml} from '../cli/output/lint-report.js'

export default class Apply extends BaseCommand {
  static override summary = 'Create or update resources from manifests.'
  static override description = `Reads every manifest (multi-document YAML or JSON) from the files and folders given with -f,
replaces $VAR and \${VAR} with environment variables, and validates each one locally first.
--lint and --de-ref stop there and never need a control plane.`

  static override examples = [
    '<%= config.bin %> apply -f worker.yaml -w public',
    '<%= config.bin %> apply --lint -f manifests/ -R',
    'cat worker.yaml | <%= config.bin %> apply -l -f -',
    '<%= config.bin %> apply -d -f worker.yaml --output json',
  ]

  static override flags = {
    manifestFile: Flags.string({...manifestFileOptions, required: true}),
    recursive: recursiveFlag,
    workspace: workspaceFlag,
    lint: Flags.boolean({char: 'l', summary: 'Validate only: print one line per resource, valid or invalid.'}),
    'de-ref': Flags.boolean({char: 'd', summary: 'Print the resolved manifests (interpolated, defaults filled) instead of applying.'}),
    'disable-interpolation': disableInterpolationFlag,
    output: textOrJsonFlag,
  }

  async run() {
    const {flags} = await this.parse(Apply)
    const reports = lintFiles(flags.manifestFile, {
      recursive: flags.recursive,
      workspace: flags.workspace,
      interpolate: !flags['disable-interpolation'],
      env: process.env,
    })
    const allValid = reports.every((r) => r.valid)
    if (flags['de-ref']) {
      if (!allValid && !this.jsonEnabled()) {
        process.stderr.write(`${renderLintReport(reports.filter((r) => !r.valid))}\n`)
        return this.finish(undefined, () => '', EXIT.invalid)
      }
      return this.finish(lintJson(reports, true), () => renderManifestsYaml(reports), allValid ? EXIT.ok : EXIT.invalid)
    }
    if (flags.lint) {
      if (!this.jsonEnabled()) this.note(lintSummary(reports))
      return this.finish(lintJson(reports, false), () => renderLintReport(reports), allValid ? EXIT.ok : EXIT.invalid)
    }
    throw new UsageError('applying to a control plane is not available yet', 'use --lint (-l) or --de-ref (-d)')
  }
}
