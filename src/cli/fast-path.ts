// The fast path: runs a command without loading oclif, which costs about half of the CLI's
// start-up (docs/decisions/0002-fast-start.md). It reads the command's flags from the oclif
// manifest that the build generates and parses argv with node:util's parseArgs; whenever the
// command line is anything but plain (help, an unknown or ambiguous flag, a bad value, a
// missing required flag), it declines and oclif runs the command, with oclif's own messages.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {ACTIONS} from './actions/index.js'
import {makeIo, printOutcome, reportError, runChecked} from './io.js'

interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  multiple?: boolean
  options?: string[]
  required?: boolean
  default?: unknown
}

interface ManifestCommand {
  flags: Record<string, ManifestFlag>
  args: Record<string, unknown>
}

interface Manifest {
  version: string
  commands: Record<string, ManifestCommand>
}

type Flags = Record<string, string | boolean | string[] | undefined>

/** Flags parsed the way oclif would parse them, or undefined when oclif should decide. */
export function parseFlags(command: ManifestCommand, args: readonly string[]): Flags | undefined {
  type Option = {type: 'string' | 'boolean'; multiple?: boolean; short?: string}
  const options: Record<string, Option> = {}
  const canonical: Record<string, string> = {}
  for (const flag of Object.values(command.flags)) {
    const option: Option = {type: flag.type === 'boolean' ? 'boolean' : 'string', multiple: flag.multiple === true}
    options[flag.name] = flag.char ? {...option, short: flag.char} : option
    canonical[flag.name] = flag.name
    for (const alias of flag.aliases ?? []) {
      options[alias] = option
      canonical[alias] = flag.name
    }
  }
  let values: Record<string, unknown>
  try {
    values = parseArgs({args: [...args], options, strict: true, allowPositionals: false}).values
  } catch {
    return undefined
  }
  const flags: Flags = {}
  for (const [key, value] of Object.entries(values)) {
    const name = canonical[key]!
    if (flags[name] !== undefined) return undefined // a flag and its alias both given
    flags[name] = value as Flags[string]
  }
  for (const flag of Object.values(command.flags)) {
    const value = flags[flag.name]
    if (value === undefined) {
      if (flag.required) return undefined
      if (flag.default !== undefined) flags[flag.name] = flag.default as Flags[string]
      else if (flag.type === 'boolean') flags[flag.name] = false
      continue
    }
    if (flag.options) {
      const given = Array.isArray(value) ? value : [value]
      if (given.some((v) => typeof v !== 'string' || !flag.options!.includes(v))) return undefined
    }
  }
  return flags
}

/**
 * Runs the command named by argv if it can be run without oclif; returns its exit code, or
 * undefined to let oclif run it.
 */
export async function tryFastPath(argv: readonly string[], root: string): Promise<number | undefined> {
  if (argv.some((a) => a === '-h' || a === '--help' || a === '--')) return undefined
  let manifest: Manifest
  let pjson: {name: string; version: string}
  try {
    manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as Manifest
    pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof pjson
  } catch {
    return undefined
  }
  if (manifest.version !== pjson.version) return undefined // a stale manifest: let oclif decide
  if (argv.length === 1 && argv[0] === '--version') {
    // The same line as oclif's --version (its config.userAgent).
    process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`)
    return 0
  }
  let words = 0
  while (words < argv.length && !argv[words]!.startsWith('-')) words++
  for (let n = words; n > 0; n--) {
    const id = argv.slice(0, n).join(':')
    const command = manifest.commands[id]
    const load = ACTIONS[id]
    if (!command || !load) continue
    if (Object.keys(command.args).length > 0) return undefined
    const flags = parseFlags(command, argv.slice(n))
    if (!flags) return undefined
    const json = flags.json === true || flags.output === 'json'
    try {
      return printOutcome(await runChecked(await load(), flags, makeIo(json)), json)
    } catch (error) {
      return reportError(error, json)
    }
  }
  return undefined
}
