// `drover apply`: read, interpolate and validate manifests; --lint and --de-ref stop there.
import {EXIT, UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {lintFiles} from '../manifests/lint.js'
import {lintJson, lintSummary, renderLintReport, renderManifestsYaml} from '../output/lint-report.js'

export interface ApplyFlags {
  manifestFile: string[]
  recursive: boolean
  workspace?: string
  lint: boolean
  'de-ref': boolean
  'disable-interpolation': boolean
}

export async function apply(flags: ApplyFlags, io: Io): Promise<Outcome> {
  const reports = lintFiles(flags.manifestFile, {
    recursive: flags.recursive,
    workspace: flags.workspace,
    interpolate: !flags['disable-interpolation'],
    env: process.env,
  })
  const allValid = reports.every((r) => r.valid)
  const exitCode = allValid ? EXIT.ok : EXIT.invalid
  if (flags['de-ref']) {
    // No manifests on stdout unless all are valid: a pipeline never gets a partial set.
    if (!allValid && !io.json) {
      io.note(renderLintReport(reports.filter((r) => !r.valid)))
      return {data: undefined, render: () => '', exitCode}
    }
    return {data: lintJson(reports, true), render: () => renderManifestsYaml(reports), exitCode}
  }
  if (flags.lint) {
    if (!io.json) io.note(lintSummary(reports))
    return {data: lintJson(reports, false), render: () => renderLintReport(reports), exitCode}
  }
  throw new UsageError('applying to a control plane is not available yet', 'use --lint (-l) or --de-ref (-d)')
}
