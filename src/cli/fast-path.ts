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
  exclusive?: unknown
  dependsOn?: unknown
  exactlyOne?: unknown
  relationships?: unknown
  combinable?: unknown
  allowNo?: unknown
  delimiter?: unknown
  env?: unknown
  charAliases?: unknown
  deprecated?: unknown
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
  aliases?: string[]
  hiddenAliases?: string[]
}

interface Manifest {
  version: string
  commands: Record<string, ManifestCommand>
}

type Flags = Record<string, string | boolean | string[] | undefined>

/** Flag settings the fast path does not implement: a command that uses one goes to oclif. */
const UNHANDLED = [
  'exclusive',
  'dependsOn',
  'exactlyOne',
  'relationships',
  'combinable',
  'allowNo',
  'delimiter',
  'env',
  'charAliases',
  'deprecated',
] as const

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
  const unhandled = (flag: ManifestFlag) =>
    UNHANDLED.some(
      (key) => flag[key] !== undefined && flag[key] !== false && !(Array.isArray(flag[key]) && !flag[key].length),
    )
  if (Object.values(command.flags).some(unhandled)) return undefined
  let tokens: ReturnType<typeof parseArgs>['tokens']
  try {
    tokens = parseArgs({args: [...args], options, strict: true, allowPositionals: false, tokens: true}).tokens
  } catch {
    return undefined
  }
  const flags: Flags = {}
  for (const token of tokens ?? []) {
    if (token.kind !== 'option') return undefined
    const name = canonical[token.name]!
    const flag = command.flags[name]!
    let value: string | boolean = true
    if (token.value !== undefined) {
      // oclif reads -f=x as x; a value that looks like a flag is oclif's to judge.
      value =
        token.inlineValue && !token.rawName.startsWith('--') && token.value.startsWith('=')
          ? token.value.slice(1)
          : token.value
      if (value.startsWith('-') && value !== '-') return undefined
    }
    const seen = flags[name]
    if (flag.multiple) {
      flags[name] = [...((seen as string[] | undefined) ?? []), value as string]
    } else {
      if (seen !== undefined) return undefined // given twice: oclif refuses it
      flags[name] = value
    }
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
  const aliases = new Map<string, string>()
  for (const [id, command] of Object.entries(manifest.commands))
    for (const alias of [...(command.aliases ?? []), ...(command.hiddenAliases ?? [])]) aliases.set(alias, id)
  for (let n = words; n > 0; n--) {
    const typed = argv.slice(0, n).join(':')
    const id = manifest.commands[typed] ? typed : (aliases.get(typed) ?? typed)
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
