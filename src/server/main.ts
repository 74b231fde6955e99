// The control plane process and its only composition root: the one module that names the
// concrete adapters (the SQLite store, the local runtime). main() claims the data folder,
// wire() builds the parts from the configuration, and lifecycle.ts runs and stops them.
import {createHash, randomUUID} from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {localFiles} from '../api/local.js'
import {Background} from '../lib/background.js'
import {packageVersion} from '../lib/package-root.js'
import {type Isolation, executableByOthers, probeIsolation, traversableByOthers} from '../runtime/local/isolation.js'
import {parseCpu, parseMemory} from '../resources/quantity.js'
import {TYPES} from '../resources/registry.js'
import {computeStatusOf, dataplaneOf} from '../resources/compute.js'
import {jsonEqual} from '../lib/canonical-json.js'
import {stackIdentity} from '../resources/stack-ref.js'
import {LocalRuntime} from '../runtime/local/local-runtime.js'
import {type ClusterDataplane, workloadId} from '../runtime/runtime.js'
import {Autoscaler} from '../scheduler/autoscaler.js'
import {WorkerHistory} from '../scheduler/history.js'
import {WorkQueue} from '../scheduler/queue.js'
import {WorkerReconciler} from '../scheduler/worker-reconciler.js'
import {SqliteStore} from '../store/sqlite/sqlite-store.js'
import {
  FencedError,
  type LeaseStore,
  type ResourceKey,
  StoreNotFoundError,
  fencedStore,
  listAll,
} from '../store/store.js'
import {buildApp} from './app.js'
import {ensureLocalAdmin} from './bootstrap.js'
import {registerBuiltins} from './builtins.js'
import {ConfigError, type ServerConfig, loadServerConfig} from './config.js'
import {AlreadyRunningError, type LocalFiles, claimDataDir, exposureCheck, logStream, signalReady} from './host.js'
import {Leadership, SoleLease} from './leadership.js'
import {type ControlPlane, run} from './lifecycle.js'
import {Metrics} from './metrics.js'
import type {Tenancy} from './permissions.js'
import {type Change, ResourceService} from './resource-service.js'
import {SecretCipher} from './secrets.js'

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv[0] === 'migrate') return migrate(argv.slice(1), env)
  const config = loadServerConfig(argv, env)
  const files = localFiles({...env, DROVER_DATA_DIR: config.dataDir, DROVER_CONFIG_DIR: config.configDir})
  // As root, replicas run under other uids and reach their folders in the data folder through
  // the folders above it: those this creates are traversable (o+x), never listable.
  const isolating = process.getuid?.() === 0 && config.isolation === 'auto'
  mkdirSync(config.dataDir, {recursive: true, mode: isolating ? 0o711 : 0o700})
  claimDataDir(config, files)
  try {
    exposureCheck(config)
    // Credentials never stay in this process's environment (the CLI does not pass them either).
    delete process.env.DROVER_APIKEY
    await run(await wire(config, files))
  } catch (error) {
    rmSync(files.pid, {force: true})
    throw error
  }
}

/**
 * `node dist/server/main.js migrate --from FILE` (the CLI's `drover server migrate` runs it):
 * copies a SQLite store into the PostgreSQL one of DROVER_MIGRATE_TO (in the environment, off
 * the command line: it may hold a password). Progress and the summary are JSON lines on stdout.
 */
async function migrate(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const {values} = parseArgs({args: [...argv], options: {from: {type: 'string'}}, strict: true})
  const to = env.DROVER_MIGRATE_TO
  if (!values.from || !to) throw new ConfigError('migrate needs --from FILE and DROVER_MIGRATE_TO')
  if (!existsSync(values.from)) throw new ConfigError(`no SQLite store at ${values.from}`)
  const source = new SqliteStore({path: values.from})
  try {
    const target = await (await import('../store/postgres/postgres-store.js')).PostgresStore.open({url: to})
    try {
      const {migrateStore} = await import('./migrate.js')
      let shown = 0
      const summary = await migrateStore(source, target, (done, total) => {
        // At most ~200 progress lines, and the last.
        if (done === total || done - shown >= Math.max(1, Math.floor(total / 200))) {
          shown = done
          process.stdout.write(`${JSON.stringify({done, total})}\n`)
        }
      })
      process.stdout.write(`${JSON.stringify({summary})}\n`)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}

/** Builds the control plane's parts from its configuration: store, runtime, scheduler, API. */
async function wire(config: ServerConfig, files: LocalFiles): Promise<ControlPlane> {
  const version = packageVersion()
  const log = logStream()
  // The PostgreSQL store and its driver are loaded only when the configuration names one.
  const store =
    config.store === 'sqlite'
      ? new SqliteStore({
          path: files.database,
          eventsPerResource: config.eventsPerResource,
          synchronous: config.synchronous,
        })
      : await (await import('../store/postgres/postgres-store.js')).PostgresStore.open({
          url: config.store,
          eventsPerResource: config.eventsPerResource,
        })
  const cipher = SecretCipher.fromKeyFile(config.encryptionKeyFile ?? files.encryptionKey)
  await ensureLocalAdmin(store, config.adminUser, files.adminKey)
  await registerBuiltins(store)

  const readiness = {ready: false}
  const history = new WorkerHistory()
  // Every background task goes through here: a failure is logged and counted, never lost or fatal.
  const background = new Background((what, error) => app.log.error({task: what, err: error}, 'background task failed'))
  process.on('unhandledRejection', (error) => background.failed('an unhandled promise', error))

  // Replica isolation (README "Security model"): per-workspace uids as root, else the server's own user.
  const isolation = probeIsolation({mode: config.isolation, stateDir: config.dataDir})
  const tenancy: Tenancy = isolation.kind === 'uid' ? 'isolated' : config.singleTenant ? 'single-tenant' : 'admins-only'
  const work = workFolders(config, isolation)
  const nodeBinary = isolation.kind === 'uid' ? reachableNode(work.root) : process.execPath

  // Who schedules (decision 0015): the holder of the lease of a shared store, or this control
  // plane alone (SQLite). The scheduler writes through the fence of the epoch it leads under.
  let leadership: Leadership | undefined
  let fenced = 0
  const epoch = () => leadership?.epoch()
  const schedulerStore = fencedStore(store, epoch)

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
    // What replicas inherit from this process: these six, nothing else (README "Running workers").
    baseEnv: Object.fromEntries(
      ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ']
        .filter((k) => process.env[k] !== undefined)
        .map((k) => [k, process.env[k]!]),
    ),
    onEvent: (event) => {
      // About this machine's processes: recorded by the control plane that supervises them, leader or not.
      if (reconciler) background.run('record a runtime event', () => reconciler!.recordEvent(event, store))
      enqueue(workloadId(event.key))
    },
    onChange: (key) => enqueue(workloadId(key)),
    onError: (what, error) => background.failed(what, error),
  })
  const autoscaler = new Autoscaler({
    store: schedulerStore,
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
      defaultRequests: {cpu: parseCpu(config.defaultCpuRequest)!, memory: parseMemory(config.defaultMemoryRequest)!},
    },
  })
  // Kubernetes dataplanes (issue 10): the client is loaded only when the configuration names one.
  const dataplanes = new Map<string, ClusterDataplane>()
  if (Object.keys(config.dataplanes).length > 0) {
    const {KubernetesDataplane} = await import('../runtime/kubernetes/dataplane.js')
    for (const [name, settings] of Object.entries(config.dataplanes))
      dataplanes.set(
        name,
        await KubernetesDataplane.connect(name, settings, {
          // What changes in the cluster wakes its worker; its events join the worker's.
          onChange: (key) => enqueue(workloadId(key)),
          onEvent: (event) => {
            if (reconciler && leadership?.leading())
              background.run('record a Kubernetes event', () => reconciler!.recordEvent(event))
          },
          onError: (what, error) => app.log.warn({dataplane: name, err: error}, `${what} failed; retrying`),
          fence: epoch,
        }),
      )
  }
  const started = new WorkerReconciler({
    store: schedulerStore,
    runtime,
    unseal: (sealed) => cipher.unseal(sealed),
    nodeBinary,
    scaledReplicas: (key) => autoscaler.scaled(key),
    scaling: (key) => autoscaler.state(key),
    progressPollMs: config.progressPollMs,
    minReadyMs: config.minReadyMs,
    dataplanes,
  })
  reconciler = started
  const allWorkers = async () => (await listAll(store, {type: 'worker'})).map((r) => workloadId(r.key))
  queue = new WorkQueue((id) => started.reconcile(id), {
    concurrency: config.reconcileConcurrency,
    initialBackoffMs: 500,
    maxBackoffMs: 30_000,
    resyncMs: config.resyncMs,
    // Only while this control plane leads (Leadership's onLead starts it, and resyncs).
    idleUntilStarted: true,
    keys: async () => [
      ...new Set([
        ...(await allWorkers()),
        ...runtime.keys().map(workloadId),
        ...[...dataplanes.values()].flatMap((d) => d.keys().map(workloadId)),
      ]),
    ],
    onError: (id, error) => {
      if (!(error instanceof FencedError || /^fenced:/.test((error as Error)?.message ?? '')))
        return app.log.error({worker: id, err: error}, 'reconcile failed')
      fenced++
      app.log.warn({worker: id, reason: (error as Error).message}, 'reconcile stopped: no longer the leader')
    },
  })

  // A write wakes the workers it concerns: the worker itself, or those using a changed stack,
  // secret or compute (the queue de-duplicates).
  const onChange = (key: ResourceKey, change: Change) => {
    if (key.type === 'worker') enqueue(workloadId(key))
    else {
      if (key.type === 'compute') background.run('check a compute’s dataplane', () => refreshCompute(key))

      background.run('wake the workers of a stack, secret or compute', async () => {
        for (const worker of await service.workersUsing(key, change)) enqueue(workloadId(worker))
      })
    }
  }
  // A compute's status says whether its dataplane answers: checked at start and when it is applied.
  const refreshCompute = async (key: ResourceKey) => {
    const record = await store.get(key)
    if (!record) return
    const dataplane = dataplanes.get(dataplaneOf(record.manifest))
    const status = computeStatusOf(record.manifest, new Set(dataplanes.keys()), await dataplane?.unreachable())
    if (!jsonEqual(status, record.status))
      await store.putStatus(key, status).catch((error: unknown) => {
        if (!(error instanceof StoreNotFoundError)) throw error
      })
  }
  for (const compute of await listAll(store, {type: 'compute'}))
    background.run('check a compute’s dataplane', () => refreshCompute(compute.key))
  // Another control plane's writes (a shared store's change feed) wake the leader's workers too.
  if ('onForeignChange' in store)
    store.onForeignChange((key) => {
      if (!leadership?.leading()) return
      if (key.type === 'worker') return enqueue(workloadId(key))
      background.run('wake the workers of a stack, secret or compute', async () => {
        const record = await store.get(key)
        const declared = record && stackIdentity(record.manifest.stack)
        for (const worker of await service.workersUsing(key, {stackNames: declared ? [declared.name] : []}))
          enqueue(workloadId(worker))
      })
    })
  const service = new ResourceService(store, cipher, onChange, runtime, {
    tenancy,
    maxReplicas: config.maxReplicas,
    localAdmin: config.adminUser,
    dataplanes,
    highlyAvailable: config.ha,
    history,
  })

  // The Operations page's charts: what each sample of the replicas found, per worker.
  const sample = async () => {
    await runtime.sample()
    const now = Date.now()
    const live = new Set<string>()
    const observedAll = [
      ...runtime.keys().map((key) => runtime.observe(key)),
      ...[...dataplanes.values()].flatMap((d) => d.keys().map((key) => d.observe(key))),
    ]
    for (const observed of observedAll) {
      if (!observed) continue
      const id = workloadId(observed.key)
      live.add(id)
      const current = observed.replicas.filter((r) => r.revision === observed.revision || r.phase === 'Running')
      const recommended = autoscaler.state(observed.key)?.recommendations.at(-1)?.replicas
      const desired = observed.desiredReplicas ?? started.desired.get(id)
      history.record(id, {
        t: now,
        running: current.filter((r) => r.phase === 'Running').length,
        ready: current.filter((r) => r.ready).length,
        ...(desired !== undefined ? {desired} : {}),
        ...(recommended !== undefined ? {recommended} : {}),
        usage: current
          .filter((r) => r.usage)
          .map((r) => ({
            replica: `${observed.key.name}-${r.id}`,
            ...(r.usage!.cpuCores !== undefined ? {cpu: r.usage!.cpuCores} : {}),
            ...(r.usage!.memoryBytes !== undefined ? {memory: r.usage!.memoryBytes} : {}),
          })),
      })
    }
    history.keep(live)
  }

  const lease: LeaseStore = 'acquireLease' in store ? store : new SoleLease()
  const startedAt = new Date().toISOString()
  const scheduling = queue
  leadership = new Leadership({
    lease,
    member: {id: randomUUID(), host: hostname(), url: '', pid: process.pid, version, startedAt},
    leaseMs: config.leaseMs,
    renewMs: config.leaseRenewMs,
    lapses: !(lease instanceof SoleLease),
    onLead: async (leadEpoch) => {
      app.log.info({epoch: leadEpoch}, 'leading the scheduler')
      scheduling.start()
      await scheduling.resync()
      autoscaler.start()
    },
    onFollow: async (reason) => {
      app.log.warn({reason}, 'no longer leading the scheduler')
      autoscaler.stop()
      await scheduling.stop()
    },
    onError: (what, error) => app.log.warn({err: error}, `${what} failed`),
  })
  const leader = leadership

  const metrics = new Metrics()
  const scheduled = queue
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
  // The PostgreSQL store's batches sent in one round trip, and those run again (decision 0014).
  const batches = store.stats as {oneTrip?: number; unexpected?: number}
  if (batches.oneTrip !== undefined) {
    metrics.counter(
      'drover_store_one_trip_batches_total',
      'Transactions sent in one round trip, on rows this control plane knew (PostgreSQL).',
      () => batches.oneTrip ?? 0,
    )
    metrics.counter(
      'drover_store_rerun_batches_total',
      'Of those, transactions whose rows had changed (another control plane wrote one): run again after reading them.',
      () => batches.unexpected ?? 0,
    )
  }
  metrics.counter(
    'drover_background_failures_total',
    'Background tasks (reconciles aside) that failed.',
    () => background.failures,
  )
  metrics.counter(
    'drover_log_lines_dropped_total',
    'Log lines that could not be written (disk full).',
    () => log.dropped,
  )
  metrics.counter('drover_reconciles_total', 'Reconciles run.', () => scheduled.runs)
  metrics.gauge('drover_leader', 'Whether this control plane leads the scheduler (1) or follows (0).', [], () => [
    [{}, leader.leading() ? 1 : 0],
  ])
  metrics.gauge('drover_lease_epoch', 'The epoch this control plane leads under (0: it follows).', [], () => [
    [{}, leader.epoch() ?? 0],
  ])
  metrics.counter(
    'drover_lease_renewals_total',
    'Renewals of the scheduler’s lease that held.',
    () => leader.stats.renewals,
  )
  metrics.counter(
    'drover_lease_acquisitions_total',
    'Times this control plane took the lease.',
    () => leader.stats.acquired,
  )
  metrics.counter('drover_lease_losses_total', 'Times this control plane lost the lease.', () => leader.stats.lost)
  metrics.counter(
    'drover_fenced_reconciles_total',
    'Reconciles stopped because this control plane no longer led (a write refused by the fence).',
    () => fenced,
  )
  metrics.gauge('drover_resources', 'Stored resources by type.', ['type'], () =>
    Promise.all(TYPES.map(async (type) => [{type}, await store.count({type})] as [{type: string}, number])),
  )
  metrics.gauge('drover_replicas', 'Replicas supervised by the local runtime, by phase.', ['phase'], () => {
    const counts = new Map<string, number>()
    for (const key of runtime.keys())
      for (const r of runtime.observe(key)?.replicas ?? []) counts.set(r.phase, (counts.get(r.phase) ?? 0) + 1)
    return [...counts].map(([phase, n]) => [{phase}, n] as [{phase: string}, number])
  })

  const app = buildApp({
    store,
    service,
    metrics,
    version,
    logger: config.logLevel === 'silent' ? false : {level: config.logLevel, stream: log},
    bodyLimit: config.bodyLimit,
    maxBodyDepth: config.maxBodyDepth,
    sessionKey: cipher.sessionKey,
    controlPlanes: async () => {
      const [members, held] = await Promise.all([lease.members(), lease.lease()])
      const self = leader.member.id
      // This one, first seen before its first renewal, is listed even before it is in the table.
      const listed = members.some((m) => m.id === self)
        ? members
        : [...members, {...leader.member, lastSeen: new Date().toISOString()}]
      return {
        store: config.store === 'sqlite' ? 'sqlite' : 'postgres',
        highlyAvailable: config.ha,
        controlPlanes: listed.map((m) => ({
          ...m,
          leader: held.holder === m.id && (held.remainingMs ?? 1) > 0,
          self: m.id === self,
        })),
        lease: held,
      }
    },
    notReady: () =>
      !readiness.ready ? 'starting' : store.unwritable ? `the store cannot write (${store.unwritable})` : undefined,
    ...(config.tlsCert && config.tlsKey
      ? {https: {cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey)}}
      : {}),
  })

  return {
    config,
    files,
    version,
    app,
    store,
    runtime,
    dataplanes: [...dataplanes.values()],
    leadership,
    lease,
    sample,
    background,
    readiness,
    isolationNote:
      tenancy === 'isolated'
        ? {
            level: 'info',
            fields: {isolation: isolation.kind, runtimeDir: work.root},
            message: `replica isolation: ${isolation.detail}`,
          }
        : {
            level: 'warn',
            fields: {isolation: isolation.kind, tenancy},
            message: `replica isolation: ${isolation.detail}; ${
              tenancy === 'single-tenant'
                ? 'single-tenant mode: every workspace writer is trusted like this user'
                : 'only admins may write workers (start with --single-tenant to let other writers run them)'
            }`,
          },
  }
}

/**
 * Where replica and volume folders go. Isolated replicas (other uids) must reach their own
 * folders, so every folder above them needs o+x; the data folder is then made 0711 (nothing in
 * it is readable by others: files 0600, folders 0700). When a folder above the data folder is
 * not traversable (root's home is 0700), they go to /var/lib/drover/<hash of the data folder>,
 * whose `data-folder` file says which data folder it serves.
 */
function workFolders(config: ServerConfig, isolation: Isolation): {root: string; runtime: string; volumes: string} {
  let root = config.runtimeDir ?? config.dataDir
  if (isolation.kind === 'uid') {
    if (!config.runtimeDir && !traversableByOthers(config.dataDir)) {
      root = join('/var/lib/drover', createHash('sha256').update(config.dataDir).digest('hex').slice(0, 12))
      mkdirSync(root, {recursive: true, mode: 0o711})
      writeFileSync(join(root, 'data-folder'), `${config.dataDir}\n`, {mode: 0o600})
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
          : `${process.argv[2] === 'migrate' ? 'cannot migrate' : 'cannot start'}: ${(error as Error).message}`
    signalReady({
      ready: false,
      error: message,
      ...(error instanceof AlreadyRunningError ? {code: 'AlreadyRunning'} : {}),
    })
    process.stderr.write(`drover server: ${message}\n`)
    process.exit(1)
  })
}
