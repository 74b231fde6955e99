// Golden tests: the exact output of `drover apply --lint` (text and JSON) for every manifest in
// test/fixtures/manifests/invalid, run through the built CLI. To accept a deliberate change of
// wording, run `UPDATE_GOLDEN=1 npx vitest run test/e2e/lint-golden.test.ts` and review the diff.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {golden} from '../helpers/golden.js'
import {ROOT, runCli} from '../helpers/run-cli.js'

const INVALID = 'test/fixtures/manifests/invalid'
const VALID = 'test/fixtures/manifests/valid'

describe('apply --lint on invalid manifests', () => {
  const fixtures = readdirSync(join(ROOT, INVALID)).filter((f) => f.endsWith('.yaml'))
  it.each(fixtures)('%s', async (fixture) => {
    const file = `${INVALID}/${fixture}`
    const result = await runCli(['apply', '--lint', '-f', file], {env: {COMPUTE: undefined}})
    expect(result.code).toBe(1)
    golden(file.replace(/\.yaml$/, '.expected.txt'), `${result.stdout}--- stderr\n${result.stderr}`)
    const json = await runCli(['apply', '--lint', '-f', file, '--output', 'json'], {env: {COMPUTE: undefined}})
    expect(json.code).toBe(1)
    expect(json.stderr).toBe('')
    golden(file.replace(/\.yaml$/, '.expected.json'), json.stdout)
    expect(JSON.parse(json.stdout).invalid).toBeGreaterThan(0)
  })

  it('never prints a secret value, in text or JSON', async () => {
    for (const args of [[], ['--output', 'json']]) {
      const result = await runCli(['apply', '-l', '-f', `${INVALID}/stack-and-secret.yaml`, ...args])
      expect(result.stdout + result.stderr).not.toContain('do-not-print-me')
    }
  })
})

describe('apply --lint on DataOS-shaped manifests', () => {
  const fixtures = readdirSync(join(ROOT, VALID)).filter((f) => f.endsWith('.yaml'))
  // "$schema" in a JSON Schema text reads as a variable: DataOS's docs, too, say to apply such
  // manifests with interpolation off.
  const flags: Record<string, string[]> = {'dataos-stack-style.yaml': ['--disable-interpolation']}
  it.each(fixtures)('%s is valid unchanged', async (fixture) => {
    const result = await runCli(['apply', '-l', '-f', `${VALID}/${fixture}`, ...(flags[fixture] ?? [])])
    expect(result.stderr).toBe('1 document: 1 valid, 0 invalid\n')
    expect(result.stdout).toMatch(/: valid\n$/)
    expect(result.code).toBe(0)
  })
})
