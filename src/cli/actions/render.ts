// `drover render`: the Kubernetes objects of the workers in the files given, offline (no control
// plane, no cluster, never the Kubernetes client), for GitOps and `kubectl diff`. Stacks, computes
// and secrets come from the same files or are built in; secret values are never printed (the
// Secret objects carry masked values: the control plane fills in the real ones when it applies).
import {stringify} from 'yaml'
import type {Json} from '../../lib/json.js'
import {isObject} from '../../lib/json.js'
import {BUILTIN_STACKS, LOCAL_COMPUTE} from '../../resources/builtins.js'
import {type KubernetesObject, RenderError, renderWorker} from '../../resources/kubernetes/render.js'
import type {ComputeSpec} from '../../resources/model/compute-v1.js'
import {workerSpec} from '../../resources/rules.js'
import {formatStackRef, parseStackRef, resolveStack, stackIdentity} from '../../resources/stack-ref.js'
import {MASK} from '../../resources/validate.js'
import {EXIT, InvalidInputError, UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {type DocumentReport, lintManifestFlags} from '../manifests/lint.js'
import {formatLocated, type LocatedProblem} from '../manifests/located.js'
import {lintJson, renderLintReport} from '../output/lint-report.js'

export interface RenderFlags {
  manifestFile: string[]
  recursive: boolean
  workspace?: string
  compute?: string
  output: string
  'disable-interpolation'?: boolean
}

const section = (manifest: Json, key: string) => (isObject(manifest[key]) ? (manifest[key] as Json) : {})

export async function render(flags: RenderFlags, io: Io): Promise<Outcome> {
  const reports = lintManifestFlags(flags)
  if (!reports.every((r) => r.valid)) {
    const invalid = reports.filter((r) => !r.valid)
    if (!io.json) io.note(`nothing rendered: ${invalid.length} of ${reports.length} documents invalid`)
    return {data: lintJson(reports, false), render: () => renderLintReport(invalid), exitCode: EXIT.invalid}
  }
  const ofType = (type: string) => reports.filter((r) => r.type === type && r.manifest)
  const stacks = [...BUILTIN_STACKS, ...ofType('stack').map((r) => r.manifest!)]
    .map((m) => ({...stackIdentity(m.stack)!, section: section(m, 'stack')}))
    .filter((s) => s.name !== undefined)
  const computes = new Map<string, ComputeSpec>([
    [String(LOCAL_COMPUTE.name), section(LOCAL_COMPUTE, 'compute') as ComputeSpec],
  ])
  for (const r of ofType('compute')) computes.set(r.name!, section(r.manifest!, 'compute') as ComputeSpec)
  const secrets = ofType('secret').map((r) => ({
    name: r.name!,
    workspace: r.workspace!,
    // Never printed: the keys are what render needs.
    data: Object.fromEntries(Object.keys(section(section(r.manifest!, 'secret'), 'data')).map((k) => [k, MASK])),
  }))
  if (flags.compute !== undefined && !computes.has(flags.compute))
    throw new UsageError(
      `--compute ${flags.compute}: not in the files given (render is offline: give the compute's manifest with -f)`,
    )

  const workers = ofType('worker')
  if (workers.length === 0) throw new InvalidInputError('no worker in the files given: nothing to render')
  const objects: KubernetesObject[] = []
  const problems: LocatedProblem[] = []
  const locate = (r: DocumentReport, path: (string | number)[], message: string): LocatedProblem => ({
    file: r.file,
    ...(r.position ? r.position(path) : {line: r.line}),
    field: path.join('.'),
    code: 'Invalid',
    message: `${path.join('.')}: ${message}`,
  })
  for (const r of workers) {
    const worker = workerSpec(r.manifest!)
    const computeName = flags.compute ?? worker.compute
    const compute = computes.get(computeName)
    if (!compute) {
      problems.push(
        locate(
          r,
          ['worker', 'compute'],
          `compute ${computeName} is not in the files given (render is offline: give its manifest with -f, or name one with --compute)`,
        ),
      )
      continue
    }
    const ref = parseStackRef(worker.stack)
    const stack = resolveStack(ref, stacks)
    if (!stack) {
      const known = [...new Set(stacks.map((s) => formatStackRef(s)))].sort().join(', ')
      problems.push(
        locate(
          r,
          ['worker', 'stack'],
          `stack ${formatStackRef(ref)} is neither built in nor in the files given (give its manifest with -f); known: ${known}`,
        ),
      )
      continue
    }
    try {
      objects.push(
        ...renderWorker({
          name: r.name!,
          workspace: r.workspace!,
          version: r.version!,
          worker,
          stack: stack.section,
          compute,
          secrets,
        }),
      )
    } catch (error) {
      if (!(error instanceof RenderError)) throw error
      const hint = error.message.startsWith('secret ') ? ' (render is offline: give its manifest with -f)' : ''
      problems.push(locate(r, error.path, `${error.message}${hint}`))
    }
  }
  if (problems.length > 0) {
    // Nothing on stdout unless every worker renders: a pipeline never gets a partial set.
    throw new InvalidInputError(problems.map(formatLocated).join('\n'), {details: problems, code: 'Invalid'})
  }
  const list = {apiVersion: 'v1', kind: 'List', items: objects}
  return {
    data: list,
    // --output json prints `data` (a List, as kubectl does); YAML is one document per object.
    render: () =>
      objects
        .map((o) => stringify(o, {lineWidth: 0, aliasDuplicateObjects: false}))
        .join('---\n')
        .replace(/\n$/, ''),
  }
}
