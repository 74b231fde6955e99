// The control plane process: the only composition root. It names the concrete adapters
// (SQLite store), starts the HTTP server, signals readiness, and closes gracefully on SIGTERM.
//
// Readiness handshake: when DROVER_READY_FD names an open file descriptor (the CLI passes a
// pipe as fd 3), one JSON line is written to it — {"ready":true,"url":…,"pid":…} once the
// server listens, or {"ready":false,"error":…} when it cannot start — and the fd is closed.
import {createHash} from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {type ServerState, localFiles} from '../api/local.js'
import {isServerProcess} from '../lib/server-process.js'
import {Background} from '../lib/background.js'
import {type Isolation, executableByOthers, probeIsolation, traversableByOthers} from '../runtime/local/isolation.js'
import {LocalRuntime} from '../runtime/local/local-runtime.js'
import {workloadId} from '../runtime/runtime.js'
import {Autoscaler} from '../scheduler/autoscaler.js'
import {WorkQueue} from '../scheduler/queue.js'
import {WorkerReconciler} from '../scheduler/worker-reconciler.js'
import {SqliteStore} from '../store/sqlite/sqlite-store.js'
import {type ResourceKey, listAll} from '../store/store.js'
import {buildApp} from './app.js'
import {ensureLocalAdmin} from './bootstrap.js'
import {registerBuiltinStacks} from './builtin-stacks.js'
import {ConfigError, type ServerConfig, loadServerConfig} from './config.js'
import {packageVersion} from '../lib/package-root.js'
import {Metrics} from './metrics.js'
import type {Tenancy} from './permissions.js'
import {type Change, ResourceService} from './resource-service.js'
import {SecretCipher} from './secrets.js'

function signalReady(message: Record<string, unknown>): void {
  const fd = Number(process.env.DROVER_READY_FD)
  if (!Number.isInteger(fd) || fd < 3) return
  try {
    writeSync(fd, `${JSON.stringify(message)}\n`)
    closeSync(fd)
  } catch {
    // The starter went away; nothing to tell.
  }
}

export class AlreadyRunningError extends ConfigError {}

/**
 * Claims the data folder for this process: the pid file is created exclusively, so of two
 * control planes started at once on the same folder exactly one runs. A pid file left by a
 * process that is gone is taken over.
 */
function claimDataDir(config: ServerConfig, files: ReturnType<typeof localFiles>): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(files.pid, `${process.pid}\n`, {mode: 0o600, flag: 'wx'})
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number(readFileSync(files.pid, 'utf8').trim())
    if (Number.isInteger(owner) && owner !== process.pid && isServerProcess(owner)) {
      let url = ''
      try {
        url = (JSON.parse(readFileSync(files.state, 'utf8')) as ServerState).url
      } catch {
        // still starting
      }
      throw new AlreadyRunningError(
        `a control plane is already running on ${config.dataDir} (pid ${owner}${url ? `, ${url}` : ''})`,
      )
    }
    rmSync(files.pid, {force: true})
  }
  throw new ConfigError(`cannot claim ${files.pid}`)
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadServerConfig(argv, env)
  const files = localFiles({...env, DROVER_DATA_DIR: config.dataDir, DROVER_CONFIG_DIR: config.configDir})
  // As root, replicas run under other uids and reach their folders in the data folder through
  // the folders above it: those this creates are traversable (o+x), never listable.
  const isolating = process.getuid?.() === 0 && config.isolation === 'auto'
  mkdirSync(config.dataDir, {recursive: true, mode: isolating ? 0o711 : 0o700})
  claimDataDir(config, files)
  try {
    await serve(config, files)
  } catch (error) {
    rmSync(files.pid, {force: true})
    throw error
  }
}

async function serve(config: ServerConfig, files: ReturnType<typeof localFiles>): Promise<void> {
  const version = packageVersion()
  exposureCheck(config)
  // Credentials never stay in this process's environment (the CLI does not pass them either).
  delete process.env.DROVER_APIKEY
  const logLines = {dropped: 0}
  // Log lines go to fd 1 with one write each; a line that cannot be written (disk full) is
  // dropped and counted. pino's own destination loops forever on ENOSPC in its sync flush.
  const logStream = {
    write(line: string) {
      try {
        writeSync(1, line)
      } catch {
        logLines.dropped++
      }
    },
  }

  const store = new SqliteStore({
    path: files.database,
    eventsPerResource: config.eventsPerResource,
    synchronous: config.synchronous,
  })
  const cipher = SecretCipher.fromKeyFile(files.encryptionKey)
  await ensureLocalAdmin(store, config.adminUser, files.adminKey)
  await registerBuiltinStacks(store)

  const metrics = new Metrics()
  metrics.counter(
    'drover_store_commits_total',
    'Store transactions committed (each one fsync).',
    () => store.stats.commits,
  )
  metrics.counter(
    'drover_store_writes_total',
    'Writes committed (group commit: several per transaction).',
    () => store.stats.writes,
  )
  metrics.gauge('drover_resources', 'Stored resources by type.', ['type'], async () =>
    Promise.all(
      ['worker', 'stack', 'secret'].map(
        async (type) => [{type}, await store.count({type})] as [Record<string, string>, number],
      ),
    ),
  )

  let ready = false
  // Every background task goes through here: a failure is logged and counted, never lost or fatal.
  const background = new Background((what, error) => app.log.error({task: what, err: error}, 'background task failed'))
  metrics.counter(
    'drover_background_failures_total',
    'Background tasks (reconciles aside) that failed.',
    () => background.failures,
  )
  metrics.counter(
    'drover_log_lines_dropped_total',
    'Log lines that could not be written (disk full).',
    () => logLines.dropped,
  )

  process.on('unhandledRejection', (error) => background.failed('an unhandled promise', error))

  // Replica isolation (README "Security model"): per-workspace uids as root, else the server's own user.
  const isolation = probeIsolation({mode: config.isolation, stateDir: config.dataDir})
  const tenancy: Tenancy = isolation.kind === 'uid' ? 'isolated' : config.singleTenant ? 'single-tenant' : 'admins-only'
  const work = workFolders(config, isolation)
  const nodeBinary = isolation.kind === 'uid' ? reachableNode(work.root) : process.execPath
  // The scheduler: runtime events and every write wake the queue; the resync covers the rest.
  let queue: WorkQueue | undefined
  let reconciler: WorkerReconciler | undefined
  const enqueue = (id: string) => queue?.add(id)
  const runtime = new LocalRuntime({
    dir: work.runtime,
    volumesDir: work.volumes,
    isolation,
    watchdogMs: config.watchdogMs,
    restart: {
      initialBackoffMs: config.restartInitialBackoffMs,
      maxBackoffMs: config.restartMaxBackoffMs,
      resetAfterMs: config.restartResetAfterMs,
      crashLoopThreshold: config.crashLoopThreshold,
      crashLoopWindowMs: config.crashLoopWindowMs,
    },
    stopGraceMs: config.stopGraceMs,
    minReadyMs: config.minReadyMs,
    pollMs: config.exitPollMs,
    logs: {
      maxBytes: config.logMaxBytes,
      rotatedFiles: config.logRotatedFiles,
      previousInstances: config.logPreviousInstances,
      checkMs: config.logCheckMs,
    },
    cgroups: config.cgroups,
    cgroupParent: config.cgroupParent,
    baseEnv: Object.fromEntries(
      ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ']
        .filter((k) => process.env[k] !== undefined)
        .map((k) => [k, process.env[k]!]),
    ),
    onEvent: (event) => {
      if (reconciler) background.run('record a runtime event', () => reconciler!.recordEvent(event))
      enqueue(workloadId(event.key))
    },
    onChange: (key) => enqueue(workloadId(key)),
    onError: (what, error) => background.failed(what, error),
  })
  const autoscaler = new Autoscaler({
    store,
    runtime,
    enqueue,
    onError: (error) => background.failed('autoscaler tick', error),
    policy: {
      periodMs: config.autoscalePeriodMs,
      tolerance: config.autoscaleTolerance,
      scaleDownStabilizationMs: config.scaleDownStabilizationMs,
      scaleUpLimitPods: config.scaleUpLimitPods,
      scaleUpLimitPercent: config.scaleUpLimitPercent,
      defaultCpuTarget: config.defaultCpuTarget,
      cpuInitializationMs: config.cpuInitializationMs,
    },
  })
  reconciler = new WorkerReconciler({
    store,
    runtime,
    unseal: (sealed) => cipher.unseal(sealed),
    nodeBinary,
    scaledReplicas: (key) => autoscaler.scaled(key),
    progressPollMs: config.progressPollMs,
  })
  const allWorkers = async () => (await listAll(store, {type: 'worker'})).map((r) => workloadId(r.key))
  const started = reconciler
  queue = new WorkQueue((id) => started.reconcile(id), {
    concurrency: config.reconcileConcurrency,
    initialBackoffMs: 500,
    maxBackoffMs: 30_000,
    resyncMs: config.resyncMs,
    keys: async () => [...new Set([...(await allWorkers()), ...runtime.keys().map(workloadId)])],
    onError: (id, error) => app.log.error({worker: id, err: error}, 'reconcile failed'),
  })
  metrics.gauge('drover_replicas', 'Replicas supervised by the local runtime, by phase.', ['phase'], () => {
    const counts = new Map<string, number>()
    for (const key of runtime.keys())
      for (const r of runtime.observe(key)?.replicas ?? []) counts.set(r.phase, (counts.get(r.phase) ?? 0) + 1)
    return [...counts].map(([phase, n]) => [{phase}, n] as [Record<string, string>, number])
  })
  metrics.counter('drover_reconciles_total', 'Reconciles run.', () => queue?.runs ?? 0)

  // A write wakes the workers it concerns: the worker itself, or those using a changed stack or secret
  // (the queue de-duplicates).
  const onChange = (key: ResourceKey, change: Change) => {
    if (key.type === 'worker') enqueue(workloadId(key))
    else
      background.run('wake the workers of a stack or secret', async () => {
        for (const worker of await service.workersUsing(key, change)) enqueue(workloadId(worker))
      })
  }
  const service = new ResourceService(store, cipher, onChange, runtime, {
    tenancy,
    maxReplicas: config.maxReplicas,
    localAdmin: config.adminUser,
  })
  const app = buildApp({
    store,
    service,
    metrics,
    version,
    logger: config.logLevel === 'silent' ? false : {level: config.logLevel, stream: logStream},
    bodyLimit: config.bodyLimit,
    maxBodyDepth: config.maxBodyDepth,
    notReady: () =>
      !ready ? 'starting' : store.unwritable ? `the store cannot write (${store.unwritable})` : undefined,
    ...(config.tlsCert && config.tlsKey
      ? {https: {cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey)}}
      : {}),
  })

  // Replicas left running by an earlier control plane are taken over before anything is started.
  await runtime.adopt()
  queue.start()
  await queue.resync()
  autoscaler.start()
  const sampler = background.every(config.sampleMs, 'sample replicas', () => runtime.sample())
  // While the store cannot write, try a write every 2 s: /readyz turns ready again by itself.
  const storeProbe = background.every(2000, 'probe the store', async () => {
    if (store.unwritable) await store.probeWrite().catch(() => undefined)
  })

  await app.listen({host: config.host, port: config.port})
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `${config.tlsCert ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const state: ServerState = {pid: process.pid, url, startedAt: new Date().toISOString(), version}
  writeFileSync(files.state, `${JSON.stringify(state)}\n`, {mode: 0o600})
  ready = true
  app.log.info({url, dataDir: config.dataDir, version}, 'control plane ready')
  if (tenancy === 'isolated')
    app.log.info({isolation: isolation.kind, runtimeDir: work.root}, `replica isolation: ${isolation.detail}`)
  else
    app.log.warn(
      {isolation: isolation.kind, tenancy},
      `replica isolation: ${isolation.detail}; ${tenancy === 'single-tenant' ? 'single-tenant mode: every workspace writer is trusted like this user' : 'only admins may write workers (start with --single-tenant to let other writers run them)'}`,
    )
  if (!config.tlsCert && !isLoopback(config.host))
    app.log.warn(
      {host: config.host},
      'serving plain HTTP on a non-loopback address (--insecure): API keys cross the network in clear',
    )
  signalReady({ready: true, ...state})

  let closing = false
  // SIGTERM and SIGINT leave the replicas running (the next control plane adopts them);
  // SIGUSR2 (drover server stop --stop-workers) stops them first. A shutdown that takes longer
  // than shutdownTimeoutMs, or a second signal, exits at once.
  const shutdown = async (signal: string) => {
    if (closing) {
      app.log.warn({signal}, 'second signal: exiting now')
      process.exit(1)
    }
    closing = true
    ready = false
    app.log.info({signal}, 'shutting down')
    setTimeout(() => {
      app.log.error({timeoutMs: config.shutdownTimeoutMs}, 'shutdown took too long: exiting now')
      process.exit(1)
    }, config.shutdownTimeoutMs).unref()
    autoscaler.stop()
    clearInterval(sampler)
    clearInterval(storeProbe)
    await queue?.stop()
    if (signal === 'SIGUSR2') await Promise.all(runtime.keys().map((key) => runtime.remove(key)))
    await runtime.close()
    await app.close()
    await store.close()
    for (const file of [files.state, files.pid]) {
      try {
        const owner =
          file === files.state
            ? (JSON.parse(readFileSync(file, 'utf8')) as ServerState).pid
            : Number(readFileSync(file, 'utf8'))
        if (owner === process.pid) rmSync(file, {force: true})
      } catch {
        // already gone
      }
    }
    process.exit(0)
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const) {
    process.on(signal, () => background.run(`shut down on ${signal}`, () => shutdown(signal)))
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host)

/** Plain HTTP on a non-loopback address only when asked for; TLS needs both halves. */
function exposureCheck(config: ServerConfig): void {
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined))
    throw new ConfigError('--tls-cert and --tls-key go together')
  if (!config.tlsCert && !isLoopback(config.host) && !config.insecure) {
    throw new ConfigError(
      `refusing to serve plain HTTP on ${config.host}: API keys would cross the network in clear; give --tls-cert and --tls-key, or --insecure to accept that`,
    )
  }
}

/**
 * Where replica and volume folders go. Isolated replicas (other uids) must reach their own
 * folders, so every folder above them needs o+x; the data folder is then made 0711 (nothing in
 * it is readable by others: files 0600, folders 0700). When a folder above the data folder is
 * not traversable (root's home is 0700), they go to /var/lib/drover/<hash of the data folder>.
 */
function workFolders(config: ServerConfig, isolation: Isolation): {root: string; runtime: string; volumes: string} {
  let root = config.runtimeDir ?? config.dataDir
  if (isolation.kind === 'uid') {
    if (!config.runtimeDir && !traversableByOthers(config.dataDir)) {
      root = join('/var/lib/drover', createHash('sha256').update(config.dataDir).digest('hex').slice(0, 12))
    }
    mkdirSync(root, {recursive: true, mode: 0o711})
    chmodSync(root, 0o711)
  }
  return {root, runtime: join(root, 'runtime'), volumes: join(root, 'volumes')}
}

/** A Node binary that replicas of any uid can run: ours, or a link (or copy) of it beside their folders. */
function reachableNode(root: string): string {
  if (executableByOthers(process.execPath)) return process.execPath
  const bin = join(root, 'bin')
  mkdirSync(bin, {recursive: true, mode: 0o711})
  const target = join(bin, 'node')
  try {
    if (statSync(target).size === statSync(process.execPath).size) return target
  } catch {
    // not there yet
  }
  rmSync(target, {force: true})
  try {
    linkSync(process.execPath, target)
  } catch {
    copyFileSync(process.execPath, target)
  }
  chmodSync(target, 0o755)
  return target
}

// Run when executed as a program (node dist/server/main.js), not when imported by a test.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2), process.env).catch((error: unknown) => {
    const message =
      error instanceof ConfigError
        ? error.message
        : (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
          ? `address in use: ${(error as Error).message}`
          : `cannot start: ${(error as Error).message}`
    signalReady({
      ready: false,
      error: message,
      ...(error instanceof AlreadyRunningError ? {code: 'AlreadyRunning'} : {}),
    })
    process.stderr.write(`drover server: ${message}\n`)
    process.exit(1)
  })
}
