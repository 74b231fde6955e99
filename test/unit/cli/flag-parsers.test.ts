// The fast path's flag parser against oclif's, on command lines generated from the command
// manifest: every flag of every command in every spelling oclif takes (--name v, --name=v, -c v,
// -cv, -c=v, aliases), repeated, grouped, with values that start with '-', missing values and
// values outside a flag's options. For each line the fast path either declines (oclif then runs
// the command) or gives exactly oclif's flags. The end-to-end twin is test/e2e/fast-path.test.ts.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {parseFlags} from '../../../src/cli/fast-path.js'
import {canonicalJson} from '../../../src/lib/canonical-json.js'
import {COMMANDS} from '../../../src/commands/index.js'
import {ROOT} from '../../helpers/run-cli.js'

interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  multiple?: boolean
  options?: string[]
  required?: boolean
}
interface ManifestCommand {
  flags: Record<string, ManifestFlag>
  args: Record<string, unknown>
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>
}

/** Every spelling of one flag with one value, as separate argv fragments. */
function spellings(flag: ManifestFlag, value: string): string[][] {
  if (flag.type === 'boolean') {
    const out = [[`--${flag.name}`], [`--${flag.name}=true`], [`--no-${flag.name}`]]
    if (flag.char) out.push([`-${flag.char}`], [`-${flag.char}=true`])
    for (const alias of flag.aliases ?? []) out.push([`--${alias}`])
    return out
  }
  const out = [[`--${flag.name}`, value], [`--${flag.name}=${value}`]]
  if (flag.char) out.push([`-${flag.char}`, value], [`-${flag.char}${value}`], [`-${flag.char}=${value}`])
  for (const alias of flag.aliases ?? []) out.push([`--${alias}`, value], [`--${alias}=${value}`])
  return out
}

function valuesFor(flag: ManifestFlag): string[] {
  if (flag.options) return [flag.options[0]!, flag.options.at(-1)!, 'not-an-option']
  return ['v1', '-', '-x', '--lint', 'a=b', '=v', '', 'ü 空']
}

/** What every generated line needs so that only the flag under test varies. */
function requiredArgs(command: ManifestCommand, except: string): string[] {
  return Object.values(command.flags)
    .filter((f) => f.required && f.name !== except)
    .flatMap((f) => [`--${f.name}`, f.options?.[0] ?? 'req'])
}

function generated(command: ManifestCommand): string[][] {
  const lines: string[][] = [[]]
  const flags = Object.values(command.flags)
  for (const flag of flags) {
    const base = requiredArgs(command, flag.name)
    for (const value of flag.type === 'boolean' ? ['true'] : valuesFor(flag)) {
      for (const spelled of spellings(flag, value)) {
        lines.push([...base, ...spelled])
        lines.push([...spelled, ...base])
        lines.push([...base, ...spelled, ...spelled]) // repeated
      }
    }
    if (flag.type === 'option') lines.push([...base, `--${flag.name}`]) // a missing value
    if (flag.type === 'option' && flag.char) lines.push([...base, `-${flag.char}`])
  }
  // Grouped short booleans, and a group ending in a short option with its value.
  const shortBooleans = flags.filter((f) => f.type === 'boolean' && f.char).map((f) => f.char!)
  const shortOption = flags.find((f) => f.type === 'option' && f.char && !f.options)
  if (shortBooleans.length > 0) {
    const base = requiredArgs(command, '')
    lines.push([...base, `-${shortBooleans.join('')}`])
    if (shortOption) lines.push([...base, `-${shortBooleans.join('')}${shortOption.char}`, 'v1'])
  }
  // Every flag at once.
  lines.push(flags.flatMap((f) => (f.type === 'boolean' ? [`--${f.name}`] : [`--${f.name}`, f.options?.[0] ?? 'all'])))
  lines.push(['--'], ['-h'], ['--help'], ['stray'])
  return lines
}

type Flagged = {flags?: Parameters<typeof Parser.parse>[1]['flags']; enableJsonFlag?: boolean}

async function oclifFlags(id: string, argv: string[]): Promise<Record<string, unknown> | Error> {
  const command = COMMANDS[id as keyof typeof COMMANDS] as unknown as Flagged
  const flags = {
    ...command.flags,
    ...(command.enableJsonFlag ? {json: Flags.boolean({summary: 'Format output as json.'})} : {}),
  }
  try {
    return (await Parser.parse(argv, {flags, args: {}, strict: true})).flags
  } catch (error) {
    return error as Error
  }
}

/** false and absent mean the same to an action; oclif leaves unset booleans out. */
function normal(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined && v !== false))
}

describe('the fast path parses flags as oclif does, or declines', () => {
  const ids = Object.keys(manifest.commands).sort()

  it('covers every command of the manifest', () => {
    expect(ids.length).toBeGreaterThan(10)
    expect(ids.sort()).toEqual(Object.keys(COMMANDS).sort())
  })

  it.each(ids)('%s', async (id) => {
    const command = manifest.commands[id]!
    const lines = generated(command)
    let compared = 0
    const mismatches: string[] = []
    for (const argv of lines) {
      const fast = parseFlags(command, argv)
      if (fast === undefined) continue
      compared++
      const slow = await oclifFlags(id, argv)
      if (slow instanceof Error) {
        mismatches.push(`${JSON.stringify(argv)}: fast path took it, oclif refused it: ${slow.message}`)
        continue
      }
      const a = canonicalJson(normal(fast))
      const b = canonicalJson(normal(slow))
      if (a !== b) mismatches.push(`${JSON.stringify(argv)}: fast ${a}, oclif ${b}`)
    }
    expect(mismatches).toEqual([])
    // The fast path must still take the plain lines, or it has been cut to nothing.
    expect(compared).toBeGreaterThan(lines.length / 5)
  })
})
