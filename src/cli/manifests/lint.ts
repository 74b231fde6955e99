// Manifests from files to checked documents: read, parse, interpolate, validate, locate.
// `apply --lint` and `--de-ref` print this report; `apply` sends the valid manifests on.
import {formatRef} from '../../resources/identifiers.js'
import type {Problem} from '../../resources/problems.js'
import {DEFAULT_WORKSPACE, findKind} from '../../resources/registry.js'
import {validateManifest} from '../../resources/validate.js'
import {byPosition, type LocatedProblem} from './located.js'
import {type ParseOptions, parseSource} from './parse.js'
import {readSources} from './sources.js'
import {contextWorkspace} from '../context.js'
import type {Json} from '../../lib/json.js'

export interface DocumentReport {
  file: string
  /** Line where the document starts; absent for problems of a whole file. */
  line?: number
  /** `worker:v1beta:name:public` (the --id form) when type, version and name are known. */
  id?: string
  type?: string
  version?: string
  name?: string
  workspace?: string
  valid: boolean
  problems: LocatedProblem[]
  /** Located warnings: printed under the resource, never making it invalid. */
  warnings: LocatedProblem[]
  /** The manifest with defaults filled and interpolation done; set when valid. */
  manifest?: Json
  /** The document as written (interpolated): what apply sends. */
  value?: unknown
  /** Where a field is in the source (for problems the server reports by field path). */
  position?: (path: readonly (string | number)[], anchor?: 'key' | 'value') => {line: number; column: number}
}

interface LintOptions extends ParseOptions {
  recursive: boolean
  /** `-w` as given; undefined when the flag was not given. */
  workspace?: string
  /** Where a document goes that names no workspace when -w is not given (default public). */
  defaultWorkspace?: string
  stdin?: () => Buffer
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined)

/** The workspace a document goes to: its own `workspace:`, else -w, else the default (public). */
function resolveWorkspace(
  value: Json,
  flag: string | undefined,
  fallback = DEFAULT_WORKSPACE,
): {workspace?: string; problem?: Problem} {
  const kind = typeof value.type === 'string' ? findKind(value.type) : undefined
  if (kind?.scope === 'instance') return {}
  const own = text(value.workspace)
  if (own !== undefined && flag !== undefined && own !== flag) {
    return {
      workspace: own,
      problem: {
        path: ['workspace'],
        code: 'InvalidValue',
        value: own,
        detail: `does not match --workspace ${flag}`,
        hint: 'remove workspace: from the manifest or change -w',
      },
    }
  }
  return {workspace: own ?? flag ?? fallback}
}

function lintFiles(paths: readonly string[], options: LintOptions): DocumentReport[] {
  const {sources, problems} = readSources(paths, options)
  const reports: DocumentReport[] = problems.map((p) => ({file: p.file, valid: false, problems: [p], warnings: []}))
  for (const source of sources) {
    const parsed = parseSource(source, options)
    reports.push(...parsed.problems.map((p) => ({file: p.file, valid: false, problems: [p], warnings: []})))
    for (const doc of parsed.documents) {
      // Keys in the order machine output shows them; undefined ones are left out of JSON.
      const report: DocumentReport = {
        file: doc.file,
        line: doc.line,
        id: undefined,
        type: undefined,
        version: undefined,
        name: undefined,
        workspace: undefined,
        valid: false,
        problems: [...doc.problems],
        warnings: [],
      }
      reports.push(report)
      if (doc.value === undefined) continue
      const value = doc.value
      report.value = value
      report.position = (path, anchor) => doc.position(path, anchor)
      const result = validateManifest(value)
      const modelProblems = [...result.problems]
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const json = value as Json
        report.type = text(json.type)
        report.version = text(json.version)
        report.name = text(json.name)
        const {workspace, problem} = resolveWorkspace(json, options.workspace, options.defaultWorkspace)
        report.workspace = workspace
        if (problem) modelProblems.push(problem)
        if (result.kind && report.version && report.name)
          report.id = formatRef({type: result.kind.type, version: report.version, name: report.name, workspace})
      }
      for (const problem of modelProblems) {
        const located = doc.locate(problem)
        if (located) report.problems.push(located)
      }
      for (const warning of result.warnings ?? []) {
        const located = doc.locate(warning)
        if (located) report.warnings.push(located)
      }
      report.problems.sort(byPosition)
      report.warnings.sort(byPosition)
      report.valid = report.problems.length === 0
      if (report.valid) report.manifest = result.manifest
    }
  }
  return reports
}

/** The manifest flags every command that reads files shares (-f, -R, -w, --disable-interpolation). */
export interface ManifestFlags {
  manifestFile: readonly string[]
  recursive?: boolean
  workspace?: string
  'disable-interpolation'?: boolean
}

/** lintFiles as the flags ask: documents naming no workspace go to -w, else the context's default. */
export function lintManifestFlags(flags: ManifestFlags): DocumentReport[] {
  return lintFiles(flags.manifestFile, {
    recursive: flags.recursive === true,
    workspace: flags.workspace,
    defaultWorkspace: contextWorkspace(),
    interpolate: !flags['disable-interpolation'],
    env: process.env,
  })
}
