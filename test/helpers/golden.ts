// Golden files: the expected output of a test, committed beside its input. UPDATE_GOLDEN=1
// rewrites them (review the diff). A missing golden file is written on a developer's machine,
// but fails under CI: a test that writes its own expectation there would prove nothing.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {expect} from 'vitest'
import {ROOT} from './run-cli.js'

export function golden(file: string, actual: string): void {
  const path = join(ROOT, file)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual)
  else if (!existsSync(path)) {
    if (process.env.CI)
      throw new Error(
        `golden file ${relative(ROOT, path)} is missing: run the test with UPDATE_GOLDEN=1, review it and commit it`,
      )
    writeFileSync(path, actual)
  }
  expect(actual).toBe(readFileSync(path, 'utf8'))
}
