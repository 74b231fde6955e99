// `drover apply`: read, interpolate and validate manifests locally; --lint and --de-ref stop
// there. Otherwise every document goes to the control plane (computes and stacks, then secrets, then
// workers, so that a folder applies in one go), and each is reported created / updated /
// unchanged. Nothing is sent when any document is invalid.
import type {ApplyResponse, DiffEntry} from '../../api/types.js'
import type {DroverClient} from '../../client/client.js'
import {ClientApiError} from '../../client/errors.js'
import {anchorOf} from '../../resources/problems.js'
import {EXIT, type ExitCode, UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {type DocumentReport, lintManifestFlags} from '../manifests/lint.js'
import {type LocatedProblem, formatLocated} from '../manifests/located.js'
import {lintJson, lintSummary, renderLintReport, renderManifestsYaml} from '../output/lint-report.js'
import {resourceLabel} from '../output/resources.js'
import {cliError, withClient} from '../remote.js'
import {formatDuration, parseDuration} from '../output/units.js'
import {colourLevel} from '../output/colour.js'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Waits until every worker's newest generation is ready: observed by the control plane, its
 * replicas ready and rolled out. A crash loop or a worker that cannot run ends the wait at
 * once. Progress goes to stderr as it changes (`name: 2/3 ready`), with a spinner on a terminal.
 */
/** A worker to wait for: apply's outcomes, or rollout status's one worker. */
interface Waited {
  ref?: {type: string; name: string; workspace?: string}
  label: string
  wait?: ApplyOutcome['wait']
}

export async function waitForWorkers(
  client: DroverClient,
  outcomes: Waited[],
  timeoutMs: number,
  io: Io,
): Promise<NonNullable<ApplyOutcome['wait']>[]> {
  const deadline = Date.now() + timeoutMs
  const spinner = !io.json && process.stderr.isTTY && colourLevel(process.stderr) > 0
  let frame = 0
  const pending = new Set(outcomes)
  const shown = new Map<Waited, string>()
  while (pending.size > 0) {
    for (const o of [...pending]) {
      const resource = await client.get(o.ref!)
      const s = resource.status
      const conditions = new Map((s.conditions ?? []).map((c) => [c.type, c]))
      const counts = {phase: s.phase, readyReplicas: s.readyReplicas ?? 0, desiredReplicas: s.desiredReplicas ?? 0}
      const seen = (s.observedGeneration ?? 0) >= resource.metadata.generation
      if (!seen) continue
      const progress = `${counts.readyReplicas}/${counts.desiredReplicas} ready`
      if (!io.json && shown.get(o) !== progress) {
        shown.set(o, progress)
        if (spinner) process.stderr.write('\r\u001B[K')
        io.note(`${o.label}: ${progress}`)
      }
      if (s.phase === 'DryRun') o.wait = {ready: true, ...counts, message: 'dryRun: stored, never started'}
      else if (s.phase === 'Stopped' && s.stopped === true)
        o.wait = {ready: true, ...counts, message: 'stopped: drover start runs it'}
      else if (s.phase === 'Failed') o.wait = {ready: false, ...counts, message: `cannot run: ${s.lastError}`}
      else if (conditions.get('CrashLooping')?.status === 'True')
        o.wait = {ready: false, ...counts, message: `crash-looping: ${conditions.get('CrashLooping')!.message}`}
      else if (conditions.get('Progressing')?.reason === 'RolloutBlocked')
        o.wait = {ready: false, ...counts, message: conditions.get('Progressing')!.message}
      else if (conditions.get('Ready')?.status === 'True' && conditions.get('Progressing')?.status !== 'True')
        o.wait = {ready: true, ...counts, message: `${counts.readyReplicas}/${counts.desiredReplicas} replicas ready`}
      if (o.wait) pending.delete(o)
    }
    if (pending.size === 0) break
    if (Date.now() >= deadline) {
      for (const o of pending)
        o.wait = {
          ready: false,
          phase: 'Unknown',
          readyReplicas: 0,
          desiredReplicas: 0,
          message: `timed out after ${formatDuration(timeoutMs)} waiting for it to be ready`,
        }
      break
    }
    if (spinner)
      process.stderr.write(
        `\r${SPINNER[frame++ % SPINNER.length]} waiting for ${[...pending].map((o) => o.label).join(', ')}\u001B[K`,
      )
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  if (spinner) process.stderr.write('\r\u001B[K')
  return outcomes.map((o) => o.wait!)
}

export interface ApplyFlags {
  manifestFile: string[]
  recursive: boolean
  workspace?: string
  lint: boolean
  'de-ref': boolean
  'disable-interpolation': boolean
  'dry-run'?: boolean
  wait?: boolean
  timeout?: string
}

export interface ApplyOutcome {
  /** The worker to wait for (--wait). */
  ref?: {type: string; name: string; workspace?: string}
  file: string
  line?: number
  id?: string
  result?: ApplyResponse['result']
  dryRun: boolean
  diff: DiffEntry[]
  error?: {code: string; message: string}
  problems: LocatedProblem[]
  label: string
  /** With --wait: whether the worker became ready, and how it stands. */
  wait?: {ready: boolean; phase: string; readyReplicas: number; desiredReplicas: number; message: string}
}

const ORDER: Record<string, number> = {compute: 0, stack: 1, secret: 2, worker: 3}

function showValue(v: unknown): string {
  const text = JSON.stringify(v)
  return text === undefined ? 'null' : text.length > 80 ? `${text.slice(0, 77)}...` : text
}

export function renderDiff(diff: readonly DiffEntry[]): string[] {
  return diff.map((d) =>
    d.op === 'add'
      ? `+ ${d.path}: ${showValue(d.to)}`
      : d.op === 'remove'
        ? `- ${d.path}: ${showValue(d.from)}`
        : `~ ${d.path}: ${showValue(d.from)} → ${showValue(d.to)}`,
  )
}

/** What apply did (`applied`), what --wait found (`waited`), or both. */
function renderOutcomes(outcomes: readonly ApplyOutcome[], part: 'all' | 'applied' | 'waited' = 'all'): string {
  const lines: string[] = []
  for (const o of outcomes) {
    if (part === 'waited') {
      if (o.wait) lines.push(`${o.label}: ${o.wait.ready ? 'ready' : 'not ready'}: ${o.wait.message}`)
    } else if (o.result) {
      lines.push(
        `${o.label}: ${o.dryRun ? `would be ${o.result === 'unchanged' ? 'unchanged' : o.result} (dry run)` : o.result}`,
      )
      lines.push(...renderDiff(o.diff).map((l) => `  ${l}`))
      if (o.wait && part === 'all') lines.push(`${o.label}: ${o.wait.ready ? 'ready' : 'not ready'}: ${o.wait.message}`)
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
  let waited = false
  await withClient(io, async (client) => {
    for (const r of ordered) {
      const base = {
        file: r.file,
        line: r.line,
        id: r.id,
        dryRun: flags['dry-run'] === true,
        diff: [],
        problems: [],
        label: resourceLabel(r),
      }
      try {
        const response = await client.apply({
          manifest: r.value as Record<string, unknown>,
          // The workspace lint resolved: the manifest's own, -w, or the context's default.
          ...(r.workspace ? {workspace: r.workspace} : {}),
          ...(flags['dry-run'] ? {dryRun: true} : {}),
        })
        outcomes.push({
          ...base,
          result: response.result,
          diff: response.diff,
          ...(r.type === 'worker' ? {ref: {type: 'worker', name: r.name!, workspace: r.workspace}} : {}),
        })
      } catch (error) {
        // An unreachable control plane stops the run; a rejected document does not.
        if (!(error instanceof ClientApiError)) throw error
        const mapped = cliError(error) as {exitCode?: ExitCode}
        if (exitCode === EXIT.ok) exitCode = mapped.exitCode ?? EXIT.invalid
        const problems = error.body.details
          .filter((d) => d.path && r.position)
          .map(
            (d): LocatedProblem => ({
              file: r.file,
              ...r.position!(d.path!, anchorOf(d.code)),
              field: d.field,
              code: d.code,
              message: d.message,
            }),
          )
        outcomes.push({...base, error: {code: error.body.code, message: error.body.message}, problems})
      }
    }
    if (flags.wait && !flags['dry-run']) {
      const timeoutMs = flags.timeout === undefined ? 300_000 : parseDuration(flags.timeout)
      if (timeoutMs === undefined)
        throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: a duration such as 90s or 5m`)
      // What was applied is said before the wait, not after it.
      if (!io.json) {
        process.stdout.write(`${renderOutcomes(outcomes, 'applied')}\n`)
        waited = true
      }
      const results = await waitForWorkers(
        client,
        outcomes.filter((o) => o.ref),
        timeoutMs,
        io,
      )
      if (results.some((w) => !w.ready) && exitCode === EXIT.ok) exitCode = EXIT.invalid
    }
  })
  const data = {
    dryRun: flags['dry-run'] === true,
    resources: outcomes.map(({label, ref, ...rest}) => rest),
  }
  return {data, render: () => renderOutcomes(outcomes, waited ? 'waited' : 'all'), exitCode}
}

export async function apply(flags: ApplyFlags, io: Io): Promise<Outcome> {
  const reports = lintManifestFlags(flags)
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
  // Warnings go to stderr before anything is sent, as kubectl prints the server's.
  if (!io.json) for (const r of reports) for (const w of r.warnings) io.note(formatLocated(w))
  return applyRemote(flags, io, reports)
}
