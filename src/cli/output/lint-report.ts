// Rendering of a lint report: one line per resource (valid / invalid) with its problems under
// it, each `file:line:col: message`; documents that never became a resource (not YAML, an
// empty file) are just their problem lines.
import {stringify} from 'yaml'
import {maskSensitive} from '../../resources/validate.js'
import type {DocumentReport} from '../manifests/lint.js'
import {byPosition, formatLocated} from '../manifests/located.js'
import {resourceLabel} from './resources.js'

export function renderLintReport(reports: readonly DocumentReport[]): string {
  const lines: string[] = []
  for (const r of reports) {
    const problems = [...r.problems, ...r.warnings].sort(byPosition).map(formatLocated)
    if (r.id === undefined || r.line === undefined) {
      lines.push(...problems)
      continue
    }
    lines.push(`${r.file}:${r.line}: ${resourceLabel(r)}: ${r.valid ? 'valid' : 'invalid'}`)
    lines.push(...problems.map((p) => `  ${p}`))
  }
  return lines.join('\n')
}

export function lintSummary(reports: readonly DocumentReport[]): string {
  const valid = reports.filter((r) => r.valid).length
  const invalid = reports.length - valid
  const warnings = reports.reduce((n, r) => n + r.warnings.length, 0)
  const warned = warnings ? `, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}` : ''
  return `${reports.length} ${reports.length === 1 ? 'document' : 'documents'}: ${valid} valid, ${invalid} invalid${warned}`
}

/** The report as machine output: everything but the manifests, which only --de-ref shows. */
export function lintJson(reports: readonly DocumentReport[], withManifests: boolean) {
  const valid = reports.filter((r) => r.valid).length
  return {
    valid,
    invalid: reports.length - valid,
    resources: reports.map((r) => ({
      ...reportJson(r),
      ...(withManifests && r.manifest ? {manifest: maskSensitive(r.manifest)} : {}),
    })),
  }
}

/** The fields of a report that machine output shows. */
function reportJson(r: DocumentReport) {
  return {
    file: r.file,
    line: r.line,
    id: r.id,
    type: r.type,
    version: r.version,
    name: r.name,
    workspace: r.workspace,
    valid: r.valid,
    problems: r.problems,
    warnings: r.warnings,
  }
}

export function renderManifestsYaml(reports: readonly DocumentReport[]): string {
  return reports
    .filter((r) => r.manifest)
    .map((r) => `# ${r.file}:${r.line}\n${stringify(maskSensitive(r.manifest!), {lineWidth: 0})}`)
    .join('---\n')
}
