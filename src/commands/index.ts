// The command table (oclif's explicit strategy) and oclif's entry point. main.ts loads this
// only when the fast path declines (docs/decisions/0002-fast-start.md). Ids use ':'.
import {Errors, type Hook, run as runOclif} from '@oclif/core'
import {UsageError} from '../cli/errors.js'
import {drained, jsonRequested, reportError} from '../cli/io.js'
import {closest} from '../lib/edit-distance.js'
import Apply from './apply.js'
import Completion from './completion.js'
import Dashboard from './dashboard.js'
import ContextAdd from './context/add.js'
import ContextList from './context/list.js'
import ContextRemove from './context/remove.js'
import ContextUse from './context/use.js'
import Delete from './delete.js'
import Describe from './describe.js'
import DevelopGenerate from './develop/generate.js'
import DevelopSchemaGenerate from './develop/schema/generate.js'
import DevelopSchemaGetResource from './develop/schema/get/resource.js'
import Get from './get/index.js'
import GetRuntime from './get/runtime.js'
import Log from './log.js'
import Login from './login.js'
import Render from './render.js'
import Restart from './restart.js'
import RolloutHistory from './rollout/history.js'
import RolloutStatus from './rollout/status.js'
import RolloutUndo from './rollout/undo.js'
import Scale from './scale.js'
import ServerInstall from './server/install.js'
import ServerMigrate from './server/migrate.js'
import ServerStart from './server/start.js'
import ServerStatus from './server/status.js'
import ServerStop from './server/stop.js'
import Start from './start.js'
import Stop from './stop.js'
import UserCreate from './user/create.js'
import UserDelete from './user/delete.js'
import UserList from './user/list.js'
import UserRotateKey from './user/rotate-key.js'
import Version from './version.js'
import Whoami from './whoami.js'

export const COMMANDS = {
  apply: Apply,
  get: Get,
  'get:runtime': GetRuntime,
  log: Log,
  delete: Delete,
  describe: Describe,
  scale: Scale,
  stop: Stop,
  start: Start,
  restart: Restart,
  render: Render,
  'rollout:history': RolloutHistory,
  'rollout:status': RolloutStatus,
  'rollout:undo': RolloutUndo,
  'server:install': ServerInstall,
  'server:migrate': ServerMigrate,
  'server:start': ServerStart,
  'server:stop': ServerStop,
  'server:status': ServerStatus,
  'context:add': ContextAdd,
  'context:use': ContextUse,
  'context:list': ContextList,
  'context:remove': ContextRemove,
  login: Login,
  'user:create': UserCreate,
  'user:list': UserList,
  'user:delete': UserDelete,
  'user:rotate-key': UserRotateKey,
  whoami: Whoami,
  version: Version,
  completion: Completion,
  dashboard: Dashboard,
  'develop:generate': DevelopGenerate,
  'develop:schema:generate': DevelopSchemaGenerate,
  'develop:schema:get:resource': DevelopSchemaGetResource,
}

/**
 * Runs oclif and ends with an exit code, never with process.exit: output still queued for a
 * pipe is written before the process ends (oclif's own error handler exits at once and cut
 * long outputs at 64 KiB). Usage errors print one line, the command's usage and where help is
 * (JSON on stderr under --json), and exit 2.
 */
export async function run(entry: string): Promise<void> {
  const argv = process.argv.slice(2)
  try {
    await runOclif(argv, entry)
  } catch (error) {
    process.exitCode = error instanceof Errors.ExitError ? error.oclif.exit : usageError(error, argv)
  }
  await drained()
}

function usageError(error: unknown, argv: readonly string[]): number {
  if (!(error instanceof Errors.CLIError)) return reportError(error, jsonRequested(argv))
  const message = error.message
    .replace(/\n*See more help with --help$/, '')
    .replace(/^The following errors? occurred:\n/, '')
    .split('\n')
    .map((line) => line.trim())
    .join('; ')
  const id = commandOf(argv)
  const shown = id ? `${id.replaceAll(':', ' ')} ` : ''
  const usage = id ? `usage: drover ${shown}${usageOf(COMMANDS[id as keyof typeof COMMANDS])}\n  ` : ''
  return reportError(new UsageError(message, `${usage}see "drover ${shown}--help"`), jsonRequested(argv))
}

/** The longest run of leading words that names a command (or one of its aliases). */
function commandOf(argv: readonly string[]): string | undefined {
  let words = 0
  while (words < argv.length && !argv[words]!.startsWith('-')) words++
  for (let n = words; n > 0; n--) {
    const typed = argv.slice(0, n).join(':')
    for (const [id, command] of Object.entries(COMMANDS) as [string, {aliases?: string[]; hiddenAliases?: string[]}][])
      if (id === typed || command.aliases?.includes(typed) || command.hiddenAliases?.includes(typed)) return id
  }
  return undefined
}

/** Required flags spelled out, the others summed up, as in `kubectl apply -f FILENAME [options]`. */
function usageOf(command: {
  args?: Record<string, {required?: boolean}>
  flags?: Record<string, {char?: string; name?: string; required?: boolean; multiple?: boolean}>
}) {
  const args = Object.entries(command.args ?? {})
    .filter(([, a]) => a.required)
    .map(([name]) => name.toUpperCase())
  const required = Object.entries(command.flags ?? {})
    .filter(([, f]) => f.required)
    .map(([name, f]) => `${f.char ? `-${f.char}` : `--${name}`} <value>${f.multiple ? '...' : ''}`)
  return [...args, ...required, '[flags]'].join(' ')
}

/** An unknown command is a usage error (exit 2), with the nearest command suggested. */
export const commandNotFound: Hook<'command_not_found'> = async function (options) {
  const ids = Object.entries(COMMANDS as Record<string, {aliases?: string[]; hiddenAliases?: string[]}>)
    .flatMap(([id, command]) => [id, ...(command.aliases ?? []), ...(command.hiddenAliases ?? [])])
    .map((id) => id.replaceAll(':', ' '))
  const typed = options.id.replaceAll(':', ' ')
  const near = closest(typed, ids)
  this.error(`unknown command "${typed}"${near ? `; did you mean "${near}"?` : ''}`, {exit: 2})
}
