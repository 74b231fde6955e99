// What a command action needs from its surroundings, and how its result is printed. Shared by
// the oclif commands (BaseCommand) and the fast path (fast-path.ts), so that both print exactly
// the same bytes and exit with the same codes.
import {nameProblem} from '../resources/names.js'
import {DroverError, EXIT, type ExitCode, UsageError} from './errors.js'
import {errorPrefix} from './output/colour.js'

export interface Io {
  /** Machine output requested (`--json` or `--output json`). */
  json: boolean
  /** A note for people, on stderr (stdout stays data). */
  note(message: string): void
}

/** What an action produces: data (the JSON document), how people see it, and the exit code. */
export interface Outcome<T = unknown> {
  data: T
  render: (data: T) => string
  exitCode?: ExitCode
}

export type Action<F> = (flags: F, io: Io) => Promise<Outcome>

export function makeIo(json: boolean): Io {
  return {
    json,
    note: (message) => {
      process.stderr.write(`${message}\n`)
    },
  }
}

/** True when argv asks for machine output: `--json`, `--output json` or `--output=json`. */
export function jsonRequested(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return false
    if (a === '--json') return true
    if (a === '--output=json' || (a === '--output' && argv[i + 1] === 'json')) return true
  }
  return false
}

/**
 * Runs an action after the checks every command shares: a workspace (-w) follows the rule of
 * resource names, since the control plane makes folder names and uids of it.
 */
export async function runChecked<F>(action: Action<F>, flags: F, io: Io): Promise<Outcome> {
  const workspace = (flags as {workspace?: unknown}).workspace
  if (typeof workspace === 'string') {
    const bad = nameProblem(workspace)
    if (bad) throw new UsageError(`-w ${JSON.stringify(workspace)}: a workspace ${bad}`)
  }
  return action(flags, io)
}

export function printOutcome(outcome: Outcome, json: boolean): ExitCode {
  if (json) {
    if (outcome.data !== undefined) process.stdout.write(`${JSON.stringify(outcome.data, null, 2)}\n`)
  } else {
    const text = outcome.render(outcome.data)
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }
  return outcome.exitCode ?? EXIT.ok
}

/** Prints an error for people (or as JSON on stderr) and gives its exit code. Never a stack trace for a DroverError. */
export function reportError(error: unknown, json: boolean): ExitCode {
  if (error instanceof DroverError) {
    if (json) {
      process.stderr.write(
        `${JSON.stringify({error: {code: error.code, message: error.message, details: error.details, hint: error.hint}})}\n`,
      )
    } else {
      process.stderr.write(`${errorPrefix()} ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`)
    }
    return error.exitCode
  }
  // Anything else is a bug in drover, not a user mistake: say so; the stack only when asked.
  const e = error instanceof Error ? error : new Error(String(error))
  process.stderr.write(`${errorPrefix()} internal error: ${e.message}\n`)
  process.stderr.write(
    process.env.DROVER_DEBUG
      ? `${e.stack}\n`
      : '  this is a bug in drover; run again with DROVER_DEBUG=1 for details\n',
  )
  return EXIT.invalid
}

/**
 * Resolves once everything written to stdout and stderr so far has been handed to the OS. A
 * pipe takes 64 KiB at a time; the rest waits in the stream until the reader catches up.
 */
export async function drained(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve()))),
    ),
  )
}
