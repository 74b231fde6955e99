// `drover apply`: read, interpolate and validate manifests locally; --lint and --de-ref stop
// there. Otherwise every document goes to the control plane (stacks, then secrets, then
// workers, so that a folder applies in one go), and each is reported created / updated /
// unchanged. Nothing is sent when any document is invalid.
import type {ApplyResponse, DiffEntry} from '../../api/types.js'
import {ClientApiError} from '../../client/errors.js'
import {EXIT, type ExitCode} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {type DocumentReport, lintFiles} from '../manifests/lint.js'
import {type LocatedProblem, formatLocated} from '../manifests/located.js'
import {lintJson, lintSummary, renderLintReport, renderManifestsYaml} from '../output/lint-report.js'
import {resourceLabel} from '../output/resources.js'
import {cliError, withClient} from '../remote.js'

export interface ApplyFlags {
  manifestFile: string[]
  recursive: boolean
  workspace?: string
  lint: boolean
  'de-ref': boolean
  'disable-interpolation': boolean
  'dry-run'?: boolean
}

export interface ApplyOutcome {
  file: string
  line?: number
  id?: string
  result?: ApplyResponse['result']
  dryRun: boolean
  diff: DiffEntry[]
  error?: {code: string; message: string}
  problems: LocatedProblem[]
  label: string
}

const ORDER: Record<string, number> = {stack: 0, secret: 1, worker: 2}

function showValue(v: unknown): string {
  const text = JSON.stringify(v)
  return text === undefined ? 'null' : text.length > 80 ? `${text.slice(0, 77)}...` : text
}

export function renderDiff(diff: readonly DiffEntry[]): string[] {
  return diff.map((d) =>
    d.op === 'add' ? `+ ${d.path}: ${showValue(d.to)}` : d.op === 'remove' ? `- ${d.path}: ${showValue(d.from)}` : `~ ${d.path}: ${showValue(d.from)} → ${showValue(d.to)}`,
  )
}

function renderOutcomes(outcomes: readonly ApplyOutcome[]): string {
  const lines: string[] = []
  for (const o of outcomes) {
    if (o.result) {
      lines.push(`${o.label}: ${o.dryRun ? `would be ${o.result === 'unchanged' ? 'unchanged' : o.result} (dry run)` : o.result}`)
      lines.push(...renderDiff(o.diff).map((l) => `  ${l}`))
    } else {
      lines.push(`${o.label}: rejected`)
      if (o.problems.length > 0) lines.push(...o.problems.map((p) => `  ${formatLocated(p)}`))
      else if (o.error) lines.push(`  ${o.error.message}`)
    }
  }
  return lines.join('\n')
}

async function applyRemote(flags: ApplyFlags, io: Io, reports: DocumentReport[]): Promise<Outcome> {
  const ordered = [...reports].sort((a, b) => (ORDER[a.type ?? ''] ?? 9) - (ORDER[b.type ?? ''] ?? 9))
  const outcomes: ApplyOutcome[] = []
  let exitCode: ExitCode = EXIT.ok
  await withClient(io, async (client) => {
    for (const r of ordered) {
      const base = {file: r.file, line: r.line, id: r.id, dryRun: flags['dry-run'] === true, diff: [], problems: [], label: resourceLabel(r)}
      try {
        const response = await client.apply({
          manifest: r.value as Record<string, unknown>,
          ...(flags.workspace ? {workspace: flags.workspace} : {}),
          ...(flags['dry-run'] ? {dryRun: true} : {}),
        })
        outcomes.push({...base, result: response.result, diff: response.diff})
      } catch (error) {
        // An unreachable control plane stops the run; a rejected document does not.
        if (!(error instanceof ClientApiError)) throw error
        const mapped = cliError(error) as {exitCode?: ExitCode}
        if (exitCode === EXIT.ok) exitCode = mapped.exitCode ?? EXIT.invalid
        const problems = error.body.details
          .filter((d) => d.path && r.position)
          .map((d): LocatedProblem => ({file: r.file, ...r.position!(d.path!), field: d.field, code: d.code, message: d.message}))
        outcomes.push({...base, error: {code: error.body.code, message: error.body.message}, problems})
      }
    }
  })
  const data = {
    dryRun: flags['dry-run'] === true,
    resources: outcomes.map(({label, ...rest}) => rest),
  }
  return {data, render: () => renderOutcomes(outcomes), exitCode}
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
  if (!allValid) {
    // Nothing is applied when anything is invalid: fix first, then apply the whole set.
    const invalid = reports.filter((r) => !r.valid)
    if (!io.json) io.note(`nothing applied: ${invalid.length} of ${reports.length} documents invalid`)
    return {data: lintJson(reports, false), render: () => renderLintReport(invalid), exitCode}
  }
  return applyRemote(flags, io, reports)
}
