// Options of a LocalRuntime for tests: millisecond policies, folders under `home`.
import {join} from 'node:path'
import type {LocalRuntimeOptions} from '../../src/runtime/local/local-runtime.js'

export function fastRuntimeOptions(home: string, overrides: Partial<LocalRuntimeOptions> = {}): LocalRuntimeOptions {
  return {
    dir: join(home, 'runtime'),
    volumesDir: join(home, 'volumes'),
    restart: {
      initialBackoffMs: 40,
      maxBackoffMs: 200,
      resetAfterMs: 60_000,
      crashLoopThreshold: 4,
      crashLoopWindowMs: 60_000,
    },
    stopGraceMs: 400,
    minReadyMs: 150,
    pollMs: 25,
    logs: {maxBytes: 1024 * 1024, rotatedFiles: 1, previousInstances: 2, checkMs: 50},
    cgroups: 'auto',
    cgroupParent: 'drover-test',
    baseEnv: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
    onEvent: () => {},
    onChange: () => {},
    ...overrides,
  }
}
