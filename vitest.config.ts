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
  },
})
