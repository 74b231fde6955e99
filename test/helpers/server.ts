// Control planes for tests: the app in-process (buildApp + a real SQLite file, called with
// inject), or the real server process on a loopback port. Every process started here is
// killed when the test file ends, even when a test fails.
import {type ChildProcess, spawn} from 'node:child_process'
import {chmodSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import type {FastifyInstance} from 'fastify'
import {afterAll} from 'vitest'
import {localFiles} from '../../src/api/local.js'
import {buildApp} from '../../src/server/app.js'
import {newApiKey} from '../../src/server/auth.js'
import {registerBuiltins} from '../../src/server/builtins.js'
import {Metrics} from '../../src/server/metrics.js'
import {type Change, ResourceService} from '../../src/server/resource-service.js'
import {SecretCipher} from '../../src/server/secrets.js'
import {SqliteStore} from '../../src/store/sqlite/sqlite-store.js'
import type {ResourceKey, User} from '../../src/store/store.js'
import {killReplicasUnder} from './procs.js'

export {killReplicasUnder}
import {NODE, ROOT, cliEnv, runDir} from './run-cli.js'

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(runDir(), `drover-${prefix}-`))
  // Traversable (not listable) by others: a control plane running as root puts isolated
  // replicas, which run under uids of their own, in folders below it.
  chmodSync(dir, 0o711)
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

export interface TestApp {
  app: FastifyInstance
  store: SqliteStore
  keys: Record<string, string>
  auth: (who: string) => {authorization: string}
  service: ResourceService
  /** Every change the service reported (what main.ts turns into reconciles). */
  changes: {key: ResourceKey; change: Change}[]
  close: () => Promise<void>
}

/** admin; alice writes public; bob reads public; carol writes team. */
export async function buildTestApp(dir: string): Promise<TestApp> {
  const store = new SqliteStore({
    path: join(dir, `app-${Math.random().toString(36).slice(2)}.db`),
    eventsPerResource: 20,
  })
  await registerBuiltins(store)
  const users: User[] = [
    {name: 'admin', admin: true, grants: []},
    {name: 'alice', admin: false, grants: [{workspace: 'public', access: 'write'}]},
    {name: 'bob', admin: false, grants: [{workspace: 'public', access: 'read'}]},
    {name: 'carol', admin: false, grants: [{workspace: 'team', access: 'write'}]},
  ]
  const keys: Record<string, string> = {}
  for (const user of users) {
    await store.putUser(user)
    const key = newApiKey()
    await store.addApiKey({
      id: key.id,
      user: user.name,
      name: 'test',
      hash: key.hash,
      createdAt: new Date().toISOString(),
    })
    keys[user.name] = key.key
  }
  const cipher = new SecretCipher(Buffer.alloc(32, 1))
  const changes: TestApp['changes'] = []
  const service = new ResourceService(store, cipher, (key, change) => changes.push({key, change}))
  const app = buildApp({
    store,
    service,
    metrics: new Metrics(),
    version: 'test',
    logger: false,
    bodyLimit: 1024 * 1024,
    notReady: () => undefined,
  })
  await app.ready()
  return {
    app,
    store,
    keys,
    auth: (who) => ({authorization: `Bearer ${keys[who]}`}),
    service,
    changes,
    close: async () => {
      await app.close()
      await store.close()
    },
  }
}

export interface ServerProcess {
  url: string
  pid: number
  dataDir: string
  configDir: string
  adminKey: string
  child: ChildProcess
  output: () => string
  /** SIGTERM and wait for exit. */
  stop: () => Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill: () => Promise<void>
}

const running = new Set<ChildProcess>()
const homes = new Set<string>()
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
  // Replicas outlive their control plane by design: kill the ones this file's servers started.
  for (const home of homes) killReplicasUnder(home)
})

/** Settings that make supervision and autoscaling run in milliseconds. */
export const FAST: Record<string, string> = {
  DROVER_RESTART_INITIAL_BACKOFF_MS: '50',
  DROVER_RESTART_MAX_BACKOFF_MS: '400',
  DROVER_CRASH_LOOP_THRESHOLD: '3',
  DROVER_STOP_GRACE_MS: '500',
  DROVER_MIN_READY_MS: '200',
  DROVER_EXIT_POLL_MS: '50',
  DROVER_PROGRESS_POLL_MS: '50',
  DROVER_RESYNC_MS: '1000',
  DROVER_SAMPLE_MS: '200',
  DROVER_LOG_CHECK_MS: '100',
  DROVER_AUTOSCALE_PERIOD_MS: '300',
  DROVER_SCALE_DOWN_STABILIZATION_MS: '1500',
  DROVER_CPU_INITIALIZATION_MS: '0',
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

/** The admin key file of a control plane's data folder (local-admin.key, or one named after the folder). */
export function adminKeyFile(server: {dataDir: string; configDir: string}): string {
  return localFiles({DROVER_DATA_DIR: server.dataDir, DROVER_CONFIG_DIR: server.configDir}).adminKey
}

/** The real control plane process (dist/server/main.js) on a free loopback port. */
export async function startServerProcess(options: {
  home: string
  args?: string[]
  env?: Record<string, string>
  timeoutMs?: number
  uid?: number
}): Promise<ServerProcess> {
  homes.add(options.home)
  const dataDir = options.env?.DROVER_DATA_DIR ?? join(options.home, 'data')
  const configDir = options.env?.DROVER_CONFIG_DIR ?? join(options.home, 'config')
  const env = cliEnv({
    DROVER_DATA_DIR: dataDir,
    DROVER_CONFIG_DIR: configDir,
    DROVER_READY_FD: '3',
    DROVER_LOG_LEVEL: 'warn',
    ...options.env,
  })
  const child = spawn(NODE, [join(ROOT, 'dist/server/main.js'), '--port', '0', ...(options.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? {uid: options.uid, gid: options.uid} : {}),
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  const ready = await new Promise<{ready: boolean; url?: string; error?: string}>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(
      () => reject(new Error(`server not ready in ${options.timeoutMs ?? 15_000} ms: ${output}`)),
      options.timeoutMs ?? 15_000,
    )
    const pipe = child.stdio[3] as NodeJS.ReadableStream
    pipe.setEncoding('utf8')
    pipe.on('data', (d: string) => (text += d))
    pipe.on('end', () => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(text) as {ready: boolean; url?: string; error?: string})
      } catch {
        reject(new Error(`no readiness line from the server: ${output}`))
      }
    })
  })
  if (!ready.ready) {
    await exited(child)
    throw new Error(`server did not start: ${ready.error}`)
  }
  return {
    url: ready.url!,
    pid: child.pid!,
    dataDir,
    configDir,
    adminKey: readFileSync(adminKeyFile({dataDir, configDir}), 'utf8').trim(),
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM')
      return exited(child)
    },
    kill: async () => {
      child.kill('SIGKILL')
      await exited(child)
    },
  }
}
