import {defineConfig} from 'vitest/config'

// The JSON report is what .ci/run reads to print its closing "N passed, N failed" line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', 'json'],
    outputFile: {json: '.vitest/report.json'},
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Coverage of the code the tests run in-process (v8). The CLI and the control plane that the
    // end-to-end tests start as subprocesses are not counted: read the report for what no unit
    // or in-process test reaches, not as a score.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/resources/generated/**'],
      reporter: ['text-summary', ['json-summary', {file: 'coverage-summary.json'}], ['text', {file: 'coverage.txt'}]],
      reportsDirectory: '.vitest/coverage',
    },
  },
})
