// The local control plane as the CLI sees it: find it through the state file the server
// writes, start it in the background when it is not running (as PM2 starts its daemon), stop it.
// The server is always a separate process (dist/server/main.js); the CLI never imports it.
import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {type ServerState, dataDir, localFiles} from '../api/local.js'
import {isAlive, isServerProcess} from '../lib/server-process.js'
import {InvalidInputError} from './errors.js'
import {packageRoot} from '../lib/package-root.js'

type Env = Readonly<Record<string, string | undefined>>

/** The running local control plane, if any. */
export function runningServer(env: Env = process.env): ServerState | undefined {
  const {state} = localFiles(env)
  if (!existsSync(state)) return undefined
  try {
    const s = JSON.parse(readFileSync(state, 'utf8')) as ServerState
    return isServerProcess(s.pid) ? s : undefined
  } catch {
    return undefined
  }
}

/**
 * The control plane's environment: the CLI's, without credentials. A key in it would be
 * readable from /proc by anything running as the same user, for as long as the server runs.
 */
export function serverEnv(env: Env): NodeJS.ProcessEnv {
  const {DROVER_APIKEY: _key, ...rest} = env
  return rest
}

export function serverMainPath(): string {
  return join(packageRoot(), 'dist', 'server', 'main.js')
}

/**
 * Starts the control plane in the background: its output goes to the log file, and it tells
 * over a pipe (fd 3) when it listens, or why it cannot start. Resolves once it is ready.
 */
export async function startDetached(
  args: readonly string[],
  env: Env = process.env,
  timeoutMs = 30_000,
): Promise<ServerState> {
  const files = localFiles(env)
  // As root the control plane runs replicas under other uids, which reach their folders in the
  // data folder through the folders above it: those made here are traversable, never listable.
  mkdirSync(dataDir(env), {recursive: true, mode: process.getuid?.() === 0 ? 0o711 : 0o700})
  const log = openSync(files.log, 'a', 0o600)
  const child = spawn(process.execPath, [serverMainPath(), ...args], {
    detached: true,
    stdio: ['ignore', log, log, 'pipe'],
    env: {...serverEnv(env), DROVER_READY_FD: '3'},
  })
  closeSync(log)
  const pipe = child.stdio[3] as NodeJS.ReadableStream & {destroy(): void}
  const line = await new Promise<string>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => {
      pipe.destroy()
      reject(new InvalidInputError(`the control plane did not start within ${timeoutMs / 1000} s; see ${files.log}`))
    }, timeoutMs)
    pipe.setEncoding('utf8')
    pipe.on('data', (d: string) => (text += d))
    pipe.on('end', () => {
      clearTimeout(timer)
      resolve(text)
    })
    pipe.on('error', () => {})
  })
  child.unref()
  let message: {ready: boolean; error?: string; code?: string} & Partial<ServerState>
  try {
    message = JSON.parse(line) as typeof message
  } catch {
    throw new InvalidInputError(`the control plane exited before it was ready; see ${files.log}`)
  }
  if (!message.ready) {
    // Another CLI started it at the same moment: use that one once it is ready.
    if (message.code === 'AlreadyRunning') {
      const other = await waitForRunning(env, timeoutMs)
      if (other) return other
    }
    throw new InvalidInputError(`the control plane cannot start: ${message.error}`, {hint: `see ${files.log}`})
  }
  return {pid: message.pid!, url: message.url!, startedAt: message.startedAt!, version: message.version!}
}

/** The running server once its state file says it is ready, or undefined at the deadline. */
async function waitForRunning(env: Env, timeoutMs: number): Promise<ServerState | undefined> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const state = runningServer(env)
    if (state) return state
    await new Promise((r) => setTimeout(r, 20))
  }
  return undefined
}

/** Sends SIGTERM (SIGUSR2: stop the replicas too) and waits until the process is gone; SIGKILL after the grace period when forced. */
export async function stopServer(
  state: ServerState,
  graceMs: number,
  force: boolean,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<'stopped' | 'killed' | 'timeout'> {
  try {
    process.kill(state.pid, signal)
  } catch {
    return 'stopped'
  }
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!isAlive(state.pid)) return 'stopped'
    await new Promise((r) => setTimeout(r, 25))
  }
  if (!force) return 'timeout'
  try {
    process.kill(state.pid, 'SIGKILL')
  } catch {
    // gone meanwhile
  }
  return 'killed'
}
