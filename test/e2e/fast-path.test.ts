// The fast path (no oclif) and oclif must be indistinguishable: same bytes on stdout and
// stderr, same exit code. Lines are generated from the command manifest (every flag of the
// commands that run offline, in its spellings), plus outputs far over a pipe's 64 KiB and the
// commands that talk to a control plane, against a real one. The parse-level twin, with many
// more spellings, is test/unit/cli/flag-parsers.test.ts.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type CliResult, ROOT, runCli} from '../helpers/run-cli.js'
import {type ServerProcess, startServerProcess} from '../helpers/server.js'

interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  options?: string[]
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, ManifestFlag>}>
}

const dir = mkdtempSync(join(tmpdir(), 'drover-fast-path-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Commands that never need a control plane, with the flags that make a complete line. */
const OFFLINE: Record<string, {base: string[]; values?: Record<string, string>}> = {
  apply: {
    base: ['-l', '-f', 'examples/worker-full.yaml'],
    values: {manifestFile: 'examples/secret.yaml', timeout: '5s'},
  },
  'develop:generate': {base: ['-t', 'worker', '-n', 'x'], values: {name: 'y'}},
  'develop:schema:generate': {base: ['-t', 'secret', '-v', 'v1'], values: {out: join(dir, 'schema.json')}},
  'context:list': {base: []},
}

/** One line per flag and spelling: --name v, --name=v, -c v, -cv, -c=v, --alias v. */
function generatedLines(): string[][] {
  const lines: string[][] = []
  for (const [id, {base, values = {}}] of Object.entries(OFFLINE)) {
    const words = id.split(':')
    lines.push([...words, ...base])
    for (const flag of Object.values(manifest.commands[id]!.flags)) {
      if (flag.type === 'boolean') {
        lines.push([...words, ...base, `--${flag.name}`])
        if (flag.char) lines.push([...words, `-${flag.char}`, ...base])
        continue
      }
      const value = values[flag.name] ?? flag.options?.at(-1) ?? 'public'
      lines.push([...words, ...base, `--${flag.name}`, value], [...words, `--${flag.name}=${value}`, ...base])
      if (flag.char)
        lines.push([...words, ...base, `-${flag.char}${value}`], [...words, ...base, `-${flag.char}=${value}`])
      for (const alias of flag.aliases ?? []) lines.push([...words, ...base, `--${alias}`, value])
    }
  }
  return lines
}

async function bothWays(args: string[], env: Record<string, string> = {}): Promise<[CliResult, CliResult]> {
  return Promise.all([
    runCli(args, {env, timeoutMs: 30_000}),
    runCli(args, {env: {...env, DROVER_NO_FAST_PATH: '1'}, timeoutMs: 30_000}),
  ])
}

describe('fast path and oclif agree', () => {
  const lines = [
    ...generatedLines(),
    ['--version'],
    ['apply', '-l', '-f', 'test/fixtures/manifests/invalid/typo-fields.yaml'],
    ['apply', '-l', '--filename', 'test/fixtures/manifests/invalid/meta.yaml', '--json'],
    ['apply', '-d', '-f', 'test/fixtures/manifests/invalid/names.yaml'],
    ['apply', '-l', '-R', '-f', 'test/fixtures/manifests/valid', '--disable-interpolation', '-w', 'system'],
    ['apply', '-lRf', 'test/fixtures/manifests/valid'],
    ['apply', '-l', '-f', 'missing.yaml'],
    ['apply', '-l', '-f', 'examples/secret.yaml', '-w', 'team'],
    ['apply', '-l', '-f', 'examples/secret.yaml', '-w', 'team', '-w', 'team'],
    ['apply', '-l', '-f=-', '-f', 'examples/stack.yaml'],
    ['delete', '-t', 'worker'],
    ['develop', 'generate', '-t', 'worker', '-n', 'Bad'],
    ['develop', 'schema', 'generate', '-t', 'stack', '--output', 'json'],
  ]

  it('generates a line for every flag of the offline commands', () => {
    for (const id of Object.keys(OFFLINE))
      for (const flag of Object.keys(manifest.commands[id]!.flags))
        expect(lines.some((l) => l.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)))).toBe(true)
  })

  // Concurrent (vitest's default of 5 at a time): each line is two processes that mostly wait.
  it.concurrent.for(lines.map((l) => [l.join(' '), l] as const))('drover %s', async ([, args], {expect}) => {
    const [fast, slow] = await bothWays([...args])
    expect(fast).toEqual(slow)
  })

  it('writes every byte of an output far over 64 KiB, failing or not, in text and JSON', async () => {
    const file = join(dir, 'many.yaml')
    writeFileSync(
      file,
      Array.from({length: 3000}, (_, i) => `name: w${i}\nversion: v1beta\ntype: worker\nworker: {replicas: x}\n`).join(
        '---\n',
      ),
    )
    for (const output of [[], ['--output', 'json']]) {
      const [fast, slow] = await bothWays(['apply', '-l', '-f', file, ...output])
      expect(fast.code).toBe(1)
      expect(fast.stdout.length).toBeGreaterThan(256 * 1024)
      expect(slow).toEqual(fast)
    }
    const json = (await runCli(['apply', '-l', '-f', file, '--json'], {env: {DROVER_NO_FAST_PATH: '1'}})).stdout
    expect((JSON.parse(json) as {invalid: number}).invalid).toBe(3000)
    // Five CLI runs that each lint 3,000 manifests: ~4 s on an idle machine, over 20 s once
    // under stress-ng with another suite beside it.
  }, 60_000)
})

describe('fast path and oclif agree against a control plane', () => {
  let server: ServerProcess | undefined
  let env: Record<string, string> = {}
  beforeAll(async () => {
    server = await startServerProcess({home: join(dir, 'cp')})
    env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
    const applied = await runCli(['apply', '-f', 'examples/stack.yaml', '-f', 'examples/secret.yaml'], {env})
    expect(applied.code, applied.stderr).toBe(0)
  })
  afterAll(async () => {
    await server?.stop()
  })

  // Ages are whole seconds; the two runs may straddle one.
  const sameAge = (r: CliResult) => ({...r, stdout: r.stdout.replace(/\b\d+[smhd]\b/g, 'AGE')})

  it.each([
    ['get', '-t', 'stack', '-a'],
    ['get', '-t', 'secret', '--json'],
    ['get', '-t', 'worker', '-w', 'public'],
    ['get', '-i', 'ticker | v1 | stack'],
    ['get', '-t', 'worker', '-n', 'nope'],
    ['get', 'runtime', '-t', 'worker', '-n', 'nope'],
    ['log', '-t', 'worker', '-n', 'nope'],
    ['delete', '-t', 'worker', '-n', 'nope'],
    ['apply', '-f', 'examples/worker-minimal.yaml', '--dry-run'],
    ['apply', '-f', 'examples/stack.yaml'],
    ['develop', 'schema', 'get', 'resource', '-t', 'worker', '-v', 'v1beta'],
    ['server', 'status'],
  ])('drover %s', async (...args) => {
    const [fast, slow] = await bothWays(args, env)
    expect(sameAge(fast)).toEqual(sameAge(slow))
  })
})
