import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {golden} from '../helpers/golden.js'
import {ROOT} from '../helpers/run-cli.js'

describe('golden files', () => {
  const file = `.vitest/golden-probe-${process.pid}.txt`
  const saved = {CI: process.env.CI, UPDATE_GOLDEN: process.env.UPDATE_GOLDEN}
  afterEach(() => {
    rmSync(join(ROOT, file), {force: true})
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
  })

  it('a missing one fails under CI and is not written', () => {
    process.env.CI = 'true'
    delete process.env.UPDATE_GOLDEN
    expect(() => golden(file, 'x')).toThrow(/is missing: run the test with UPDATE_GOLDEN=1/)
    expect(existsSync(join(ROOT, file))).toBe(false)
  })

  it('a missing one is written outside CI, and then compared', () => {
    delete process.env.CI
    delete process.env.UPDATE_GOLDEN
    golden(file, 'x')
    expect(() => golden(file, 'y')).toThrow()
  })
})
