// The command table (oclif's explicit strategy) and the CLI entry point. bin/run.js loads the
// esbuild bundle of this file, so the CLI starts from one module instead of hundreds (see
// docs/decisions/0002-bundled-cli.md). Command ids use oclif's ':' separator.
import {type Hook, execute} from '@oclif/core'
import {closest} from '../lib/edit-distance.js'
import Apply from './apply.js'
import DevelopGenerate from './develop/generate.js'
import DevelopSchemaGenerate from './develop/schema/generate.js'

export const COMMANDS = {
  apply: Apply,
  'develop:generate': DevelopGenerate,
  'develop:schema:generate': DevelopSchemaGenerate,
}

export async function run(entry: string): Promise<void> {
  await execute({dir: entry})
}

/** An unknown command is a usage error (exit 2), with the nearest command suggested. */
export const commandNotFound: Hook<'command_not_found'> = async function (options) {
  const ids = Object.keys(COMMANDS).map((id) => id.replaceAll(':', ' '))
  const typed = options.id.replaceAll(':', ' ')
  const near = closest(typed, ids)
  this.error(`unknown command "${typed}"${near ? `; did you mean "${near}"?` : ''}\nSee ${options.config.bin} --help`, {exit: 2})
}
