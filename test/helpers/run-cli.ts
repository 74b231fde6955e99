// Runs the built CLI (bin/run.js on the pinned Node) as a subprocess, the way users run it.
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, inject} from 'vitest'
import {killReplicasUnder} from './procs.js'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const NODE = join(ROOT, 'node_modules', '.bin', 'node')
export const RUN_JS = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  input?: string | Buffer
  env?: Record<string, string | undefined>
  cwd?: string
  timeoutMs?: number
}

/**
 * This run's folder (made by test/global-setup.ts): every test folder goes below it, so that the
 * suite's teardown finds what this run left, and nothing of a suite running beside it. A test
 * file run without the global setup gets a folder of its own.
 */
export function runDir(): string {
  try {
    return inject('droverRunDir')
  } catch {
    return tmpdir()
  }
}

/**
 * A home of its own for every test file: the CLI's contexts, the local control plane's data and
 * keys all land here, never in the real home. A control plane that a test started (directly or
 * by auto-start) is killed when the file ends.
 */
export const TEST_HOME = mkdtempSync(join(runDir(), 'home-'))
// Traversable by the uids isolated replicas run under (a control plane run as root).
chmodSync(TEST_HOME, 0o711)
afterAll(() => {
  killServerIn(join(TEST_HOME, 'data', 'drover'))
  killReplicasUnder(TEST_HOME)
  rmSync(TEST_HOME, {recursive: true, force: true})
})

/** Kills the control plane whose state file is in `dataDir`, if one runs. */
export function killServerIn(dataDir: string): void {
  const state = join(dataDir, 'server.json')
  if (!existsSync(state)) return
  try {
    process.kill((JSON.parse(readFileSync(state, 'utf8')) as {pid: number}).pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** The environment tests run the CLI in: no colour, no inherited DROVER_* settings, an isolated home, free ports. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('DROVER_') && !key.startsWith('XDG_')) env[key] = value
  env.NO_COLOR = '1'
  delete env.FORCE_COLOR
  env.HOME = TEST_HOME
  env.XDG_DATA_HOME = join(TEST_HOME, 'data')
  env.XDG_CONFIG_HOME = join(TEST_HOME, 'config')
  env.DROVER_PORT = '0'
  env.DROVER_LOG_LEVEL = 'warn'
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [RUN_JS, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `drover ${args.join(' ')} did not finish in ${options.timeoutMs ?? 15_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      )
    }, options.timeoutMs ?? 15_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
    child.stdin.on('error', () => {}) // the CLI may exit before reading all of its input
    child.stdin.end(options.input ?? '')
  })
}
