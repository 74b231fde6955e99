// The fast path (no oclif) and oclif must be indistinguishable: same bytes, same exit code.
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

const lines: string[][] = [
  ['--version'],
  ['apply', '--lint', '-f', 'examples'],
  ['apply', '-l', '-f', 'examples/worker-minimal.yaml', '-f', 'examples/secret.yaml', '--output', 'json'],
  ['apply', '-l', '-f', 'test/fixtures/manifests/invalid/typo-fields.yaml'],
  ['apply', '-l', '--filename', 'test/fixtures/manifests/invalid/meta.yaml', '--json'],
  ['apply', '-d', '-f', 'examples/worker-full.yaml'],
  ['apply', '-d', '-f', 'test/fixtures/manifests/invalid/names.yaml'],
  ['apply', '-l', '-R', '-f', 'test/fixtures/manifests/valid', '--disable-interpolation', '-w', 'system'],
  ['apply', '-l', '-f', 'missing.yaml'],
  ['apply', '-l', '-f', 'examples/secret.yaml', '-w', 'team'],
  ['get'],
  ['delete', '-t', 'worker'],
  ['develop', 'generate', '-t', 'worker', '-n', 'x'],
  ['develop', 'generate', '-t', 'worker', '-n', 'Bad'],
  ['develop', 'schema', 'generate', '-t', 'secret', '-v', 'v1'],
  ['develop', 'schema', 'generate', '-t', 'stack', '--output', 'json'],
]

describe('fast path and oclif agree', () => {
  it.each(lines.map((l) => [l.join(' '), l]))('drover %s', async (_, args) => {
    const [fast, slow] = await Promise.all([
      runCli(args as string[]),
      runCli(args as string[], {env: {DROVER_NO_FAST_PATH: '1'}}),
    ])
    expect(fast).toEqual(slow)
  })
})
