// The local runtime: every replica is a process in its own process group, started detached
// with its stdout and stderr going straight into its log file, so that it outlives the control
// plane and keeps logging while the control plane is down. A tiny sh wrapper joins the
// replica's cgroups before it starts the program and records the program's exit status in a
// file, so that the exit of a replica is known even when it happened while no control plane
// was running. Replicas are adopted after a restart by pid and process start time (a reused pid
// is never taken for a replica).
import type {ChildProcess} from 'node:child_process'
import {chmodSync, closeSync, existsSync, mkdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {constants} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'
import {nameProblem} from '../../resources/names.js'
import {
  type DesiredWorkload,
  type ExitInfo,
  type LimitsSupport,
  type LogLine,
  type LogOptions,
  type ObservedWorkload,
  type ProcessSpec,
  type ReplicaPhase,
  type ReplicaState,
  type RuntimeEvent,
  type WorkloadKey,
  type WorkloadRuntime,
  workloadId,
} from '../runtime.js'
import {type CgroupLayout, ReplicaCgroup, probeCgroups} from './cgroups.js'
import {type Isolation, noIsolation} from './isolation.js'
import {type LogPolicy, ReplicaLogs, followFile, tailLines} from './log-files.js'
import {type LogPump, installLogPump, splitStamp} from './log-pump.js'
import {TICKS_PER_SECOND, allStats, isSameProcess, readStat, treeStats} from './proc.js'
import {Background} from '../../lib/background.js'
import {
  MARKER_VARIABLE,
  type ProcessTree,
  instanceMembers,
  killInstance,
  newMarker,
  processTree,
  programBelow,
  signal,
  spawnWrapper,
} from './processes.js'
import {
  type ReplicaDirs,
  type ReplicaRecord,
  folders,
  prepareReplicaFiles,
  readRecord,
  removeReplicaFiles,
  writeRecord,
} from './replica-files.js'
import {type ExitRecord, type RestartPolicy, decideRestart} from './restart-policy.js'
import {planRollout} from './rollout.js'
import {TemplateError, expandArguments} from '../../lib/templates.js'

export interface LocalRuntimeOptions {
  /** Replica folders: <dir>/<workspace>/<worker>/<uid>/<replica>. */
  dir: string
  /** Volume folders: <volumesDir>/<workspace>/<volume>. */
  volumesDir: string
  restart: RestartPolicy
  /** SIGTERM, then this long, then SIGKILL. */
  stopGraceMs: number
  /** A replica counts as ready once it has run this long (rolling updates wait for it). */
  minReadyMs: number
  /** How often adopted replicas are checked for exit. */
  pollMs: number
  /** How often the memory watchdog samples replicas whose memory no cgroup limits (default 50 ms). */
  watchdogMs?: number
  logs: LogPolicy
  cgroups: 'auto' | 'off'
  cgroupParent: string
  /** How replicas are kept apart (isolation.ts); default: plain process groups. */
  isolation?: Isolation
  /** Environment every replica inherits (PATH, HOME, …); nothing else of the control plane's. */
  baseEnv: Record<string, string>
  onEvent: (event: RuntimeEvent) => void
  /** Something about the worker changed (a replica exited, became ready, stopped). */
  onChange: (key: WorkloadKey) => void
  /** A background step failed (logged and counted by the caller; the runtime goes on). */
  onError?: (what: string, error: unknown) => void
  now?: () => number
  random?: () => number
}

interface Replica {
  workload: Workload
  id: string
  index: number
  revision: string
  dir: string
  /** The volume its temporary folder lives in (spec.tempVolume), removed with the replica. */
  tempVolume?: string
  logs: ReplicaLogs
  spec?: ProcessSpec
  phase: ReplicaPhase
  restarts: number
  history: ExitRecord[]
  lastExit?: ExitInfo
  crashLooping: boolean
  message?: string
  /** Increments per instance, so that a late exit of an old instance is ignored. */
  instance: number
  wrapperPid?: number
  startTicks?: number
  programPid?: number
  startedAt?: number
  child?: ChildProcess
  cgroup?: ReplicaCgroup
  oomBefore: number
  watchdogKilled: boolean
  /** DROVER_INSTANCE of the current instance: finds its processes wherever they went. */
  marker?: string
  restartTimer?: NodeJS.Timeout
  readyTimer?: NodeJS.Timeout
  nextStartAt?: number
  stopping?: Promise<void>
  exitWaiters: (() => void)[]
  usage?: {cpuCores?: number; cpuSince?: string; memoryBytes?: number}
  lastCpu?: {nanos: number; at: number}
}

interface Workload {
  key: WorkloadKey
  uid: string
  resourceId: string
  desired?: DesiredWorkload
  replicas: Map<string, Replica>
  rolloutBlocked: boolean
}

const wid = workloadId
const signalName = (n: number) => Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`

function describeExit(exit: ExitInfo): string {
  const how = exit.signal
    ? `killed by ${exit.signal}`
    : exit.code === null
      ? 'exit status unknown'
      : `exit code ${exit.code}`
  return `${how} (${exit.reason})`
}

export class LocalRuntime implements WorkloadRuntime {
  private readonly workloads = new Map<string, Workload>()
  private readonly layout?: CgroupLayout
  private readonly support: LimitsSupport
  private readonly timers: NodeJS.Timeout[] = []
  private readonly background: Background
  private readonly now: () => number
  private readonly random: () => number
  private readonly isolation: Isolation
  /** Replicas whose memory limit only the watchdog enforces (refreshed every tick). */
  private watched: Replica[] = []
  private closed = false
  /** Stamps log lines with their time (undefined without perl: lines are stored as written). */
  readonly pump: LogPump | undefined

  constructor(private readonly options: LocalRuntimeOptions) {
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.isolation = options.isolation ?? noIsolation()
    const probe = probeCgroups(options.cgroupParent, options.cgroups)
    this.layout = probe.layout
    this.support = {...probe.support, readOnlyVolumes: this.isolation.readOnlyVolumes}
    // Isolated replicas reach their own folders through these (o+x, no listing); everything
    // else of the control plane stays 0700/0600.
    const folderMode = this.isolation.kind === 'uid' ? 0o711 : 0o700
    for (const dir of [options.dir, options.volumesDir]) {
      mkdirSync(dir, {recursive: true, mode: folderMode})
      chmodSync(dir, folderMode)
    }
    this.pump = installLogPump(options.dir, options.baseEnv.PATH ?? process.env.PATH)
    this.background = new Background((what, error) => this.options.onError?.(what, error))
    this.timers.push(
      this.background.every(options.pollMs, 'runtime tick', () => this.tick()),
      this.background.every(options.watchdogMs ?? 50, 'memory watchdog', () => this.watchdog()),
      this.background.every(options.logs.checkMs, 'log rotation', () => this.rotateLogs()),
    )
  }

  limits(): LimitsSupport {
    return this.support
  }

  keys(): WorkloadKey[] {
    return [...this.workloads.values()].map((w) => w.key)
  }

  // ---- desired state ------------------------------------------------------------------------

  async sync(desired: DesiredWorkload): Promise<ObservedWorkload> {
    let workload = this.workloads.get(wid(desired.key))
    if (workload && workload.uid !== desired.uid) {
      // The worker was deleted and applied again: the old incarnation's replicas go.
      await this.remove(desired.key)
      workload = undefined
    }
    if (!workload) {
      workload = {
        key: desired.key,
        uid: desired.uid,
        resourceId: desired.resourceId,
        replicas: new Map(),
        rolloutBlocked: false,
      }
      this.workloads.set(wid(desired.key), workload)
    }
    workload.desired = desired
    workload.resourceId = desired.resourceId
    const live = [...workload.replicas.values()].filter((r) => r.stopping === undefined)
    // Adopted replicas of the current revision get their spec back (to restart them).
    for (const r of live) if (!r.spec && r.revision === desired.revision) r.spec = desired.spec
    const plan = planRollout(
      live.map((r) => ({
        id: r.id,
        index: r.index,
        revision: r.revision,
        ready: this.isReady(r),
        crashLooping: r.crashLooping,
        restartDue:
          r.phase === 'Waiting' && r.nextStartAt !== undefined && r.nextStartAt <= this.now() && !r.restartTimer,
        // An adopted replica of an older revision that died cannot be restarted: the rollout replaces it.
        orphaned: !r.spec && r.phase === 'Waiting',
      })),
      desired,
    )
    workload.rolloutBlocked = plan.rolloutBlocked
    for (const {id, why} of plan.stop)
      this.background.run('stop a replica', () => this.stop(workload.replicas.get(id)!, why))
    for (const id of plan.restart) this.startInstance(workload.replicas.get(id)!)
    for (const index of plan.create) this.createReplica(workload, index, desired)
    return this.observe(desired.key)!
  }

  private isReady(r: Replica): boolean {
    return r.phase === 'Running' && r.startedAt !== undefined && this.now() - r.startedAt >= this.options.minReadyMs
  }

  private createReplica(workload: Workload, index: number, desired: DesiredWorkload): void {
    const id = `${desired.revision}-${index}`
    const dir = join(this.options.dir, workload.key.workspace, workload.key.name, workload.uid, id)
    const replica: Replica = {
      workload,
      id,
      index,
      revision: desired.revision,
      dir,
      logs: new ReplicaLogs(join(dir, 'logs'), this.options.logs),
      spec: desired.spec,
      phase: 'Starting',
      restarts: 0,
      history: [],
      crashLooping: false,
      instance: 0,
      oomBefore: 0,
      watchdogKilled: false,
      exitWaiters: [],
    }
    workload.replicas.set(id, replica)
    this.startInstance(replica)
  }

  private volumeRoot(r: Replica): string {
    return join(this.options.volumesDir, r.workload.key.workspace)
  }

  private displayName(r: Replica): string {
    return `${r.workload.key.name}-${r.id}`
  }

  private event(r: Replica, type: RuntimeEvent['type'], reason: string, message: string): void {
    this.options.onEvent({key: r.workload.key, type, reason, message: `${this.displayName(r)}: ${message}`})
  }

  // ---- one instance of a replica ------------------------------------------------------------

  private startInstance(r: Replica): void {
    if (this.closed || r.stopping !== undefined) return
    clearTimeout(r.restartTimer)
    r.restartTimer = undefined
    r.nextStartAt = undefined
    const spec = r.spec
    if (!spec) return
    const token = ++r.instance
    let command: string[]
    let dirs: ReplicaDirs
    const identity = this.isolation.identity(r.workload.key.workspace)
    try {
      dirs = prepareReplicaFiles(r.dir, spec, this.volumeRoot(r), identity, {mounts: this.isolation.readOnlyVolumes})
      r.tempVolume = spec.tempVolume
      const context: Record<string, unknown> = {
        ConfigDir: dirs.configDir,
        SecretDir: dirs.secretDir,
        TempDir: dirs.tempDir,
        ReplicaDir: r.dir,
        Replica: r.index,
      }
      // Values of the spec's context may refer to the runtime's own variables ({{.ConfigDir}}/main.cjs).
      for (const [k, v] of Object.entries(spec.context))
        context[k] = typeof v === 'string' ? expandArguments([v], context)[0] : v
      command = expandArguments(spec.command, context)
      if (command.length === 0) throw new TemplateError('the stack gives no command to run')
      command = this.isolation.command(r.workload.key.workspace, command, dirs.readOnly)
    } catch (error) {
      r.phase = 'Failed'
      r.message = `cannot start: ${(error as Error).message}`
      this.event(r, 'Warning', 'FailedToStart', r.message)
      this.options.onChange(r.workload.key)
      return
    }
    const exitFile = join(r.dir, 'exit')
    rmSync(exitFile, {force: true})
    rmSync(`${exitFile}.pid`, {force: true})
    r.cgroup = undefined
    if (this.layout) {
      try {
        const cgroup = new ReplicaCgroup(this.layout, `${r.workload.uid}-${r.id}`)
        cgroup.create({memory: spec.resources.limits.memory, cpu: spec.resources.limits.cpu})
        r.cgroup = cgroup
        r.oomBefore = cgroup.oomKills()
      } catch (error) {
        this.event(
          r,
          'Warning',
          'LimitsNotEnforced',
          `cannot create its cgroup (${(error as Error).message}); running without limits`,
        )
      }
    }
    r.watchdogKilled = false
    r.marker = newMarker(`${r.workload.uid}-${r.id}`)
    const env: Record<string, string> = {
      ...this.options.baseEnv,
      // An isolated replica's home is its temp folder: the control plane's is not its to read.
      ...(identity ? {HOME: dirs.tempDir} : {}),
      ...spec.env,
      DROVER_WORKER: r.workload.key.name,
      DROVER_WORKSPACE: r.workload.key.workspace,
      DROVER_REPLICA: String(r.index),
      DROVER_RESOURCE_ID: r.workload.resourceId,
      DROVER_REVISION: r.revision,
      DROVER_CONFIG_DIR: dirs.configDir,
      DROVER_SECRET_DIR: dirs.secretDir,
      DROVER_TEMP_DIR: dirs.tempDir,
      LOG_LEVEL: spec.logLevel,
      DROVER_CGROUP_PROCS: r.cgroup ? r.cgroup.procsFiles().join(' ') : '',
      [MARKER_VARIABLE]: r.marker,
    }
    if (identity) delete env.USER
    const cwd = spec.workingDir
      ? isAbsolute(spec.workingDir)
        ? spec.workingDir
        : resolve(r.dir, spec.workingDir)
      : r.dir
    const log = r.logs.open()
    let child: ChildProcess
    try {
      if (!existsSync(cwd)) throw new Error(`working folder ${cwd} does not exist`)
      child = spawnWrapper({exitFile, command, cwd, env, log, ...(this.pump ? {pump: this.pump} : {})})
    } catch (error) {
      closeSync(log)
      r.phase = 'Failed'
      r.message = `cannot start: ${(error as Error).message}`
      this.event(r, 'Warning', 'FailedToStart', r.message)
      this.options.onChange(r.workload.key)
      return
    }
    closeSync(log)
    child.unref()
    r.child = child
    r.wrapperPid = child.pid
    r.startTicks = child.pid ? readStat(child.pid)?.startTicks : undefined
    r.programPid = undefined
    r.startedAt = this.now()
    r.phase = 'Running'
    r.message = undefined
    r.logs.watch((error) => this.background.failed('log rotation', error))
    // Watched from its first moment (the list is otherwise refreshed every tick).
    if (spec.resources.limits.memory !== undefined && !r.cgroup?.dirs.memory && !this.watched.includes(r))
      this.watched.push(r)
    child.on('exit', (code, signal) => this.instanceExited(r, token, {code, signal}))
    child.on('error', (error) => {
      r.message = `cannot start: ${error.message}`
      this.instanceExited(r, token, {code: null, signal: null})
    })
    this.persist(r)
    this.event(r, 'Normal', 'Started', `started (pid ${child.pid}${r.restarts > 0 ? `, restart ${r.restarts}` : ''})`)
    clearTimeout(r.readyTimer)
    r.readyTimer = setTimeout(() => this.options.onChange(r.workload.key), this.options.minReadyMs + 5)
    r.readyTimer.unref()
    this.options.onChange(r.workload.key)
  }

  /** The program's pid, from the wrapper's note. */
  private programPid(r: Replica): number | undefined {
    if (r.programPid === undefined && r.wrapperPid !== undefined) {
      try {
        const child = Number(readFileSync(join(r.dir, 'exit.pid'), 'utf8').trim()) || undefined
        r.programPid =
          child === undefined || this.isolation.depth === 0 ? child : programBelow(child, this.isolation.depth)
      } catch {
        // not written yet
      }
    }
    return r.programPid
  }

  private instanceExited(r: Replica, token: number, raw: {code: number | null; signal: NodeJS.Signals | null}): void {
    if (token !== r.instance || r.wrapperPid === undefined) return
    const now = this.now()
    let status: number | undefined
    try {
      status = Number(readFileSync(join(r.dir, 'exit'), 'utf8').trim())
    } catch {
      status = undefined
    }
    const oom = r.watchdogKilled || (r.cgroup !== undefined && r.cgroup.oomKills() > r.oomBefore)
    let code: number | null = raw.code
    let signal: string | null = raw.signal
    if (status !== undefined && Number.isInteger(status)) {
      code = status > 128 ? null : status
      signal = status > 128 ? signalName(status - 128) : null
    }
    let reason = 'Unknown'
    if (oom) reason = 'OOMKilled'
    else if (r.stopping !== undefined) reason = 'Stopped'
    else if (signal) reason = 'Killed'
    else if (code === 0) reason = 'Completed'
    else if (code !== null) reason = 'Error'
    const exit: ExitInfo = {code, signal, reason, at: new Date(now).toISOString()}
    r.lastExit = exit
    if (r.startedAt !== undefined) r.history = [...r.history, {startedAt: r.startedAt, exitedAt: now}].slice(-20)
    this.cleanupInstance(r)
    if (code === 127) r.message = 'the program was not found (exit code 127)'
    if (code === 125) r.message = 'the replica could not join its cgroup (exit code 125)'
    const waiters = r.exitWaiters.splice(0)
    for (const w of waiters) w()
    if (r.stopping !== undefined || this.closed) return
    r.restarts++
    const decision = decideRestart(r.history, now, this.options.restart, this.random)
    const wasLooping = r.crashLooping
    r.crashLooping = decision.crashLooping
    r.phase = 'Waiting'
    r.nextStartAt = now + decision.delayMs
    this.event(
      r,
      'Warning',
      reason === 'OOMKilled' ? 'OOMKilled' : 'Exited',
      `exited: ${describeExit(exit)}; restarting in ${formatDelay(decision.delayMs)}`,
    )
    if (!wasLooping && r.crashLooping) {
      this.event(
        r,
        'Warning',
        'CrashLooping',
        `${r.history.filter((h) => now - h.exitedAt <= this.options.restart.crashLoopWindowMs).length} exits in ${formatDelay(this.options.restart.crashLoopWindowMs)}; still restarting, at most every ${formatDelay(this.options.restart.maxBackoffMs)}`,
      )
    }
    r.restartTimer = setTimeout(() => {
      r.restartTimer = undefined
      this.startInstance(r)
    }, decision.delayMs)
    r.restartTimer.unref()
    this.persist(r)
    this.options.onChange(r.workload.key)
  }

  private cleanupInstance(r: Replica): void {
    r.logs.unwatch()
    clearTimeout(r.readyTimer)
    r.readyTimer = undefined
    r.child?.removeAllListeners()
    r.child = undefined
    r.wrapperPid = undefined
    r.startTicks = undefined
    r.programPid = undefined
    r.startedAt = undefined
    r.usage = undefined
    r.lastCpu = undefined
    // Processes that left the group (daemonized children, an orphan whose wrapper was killed)
    // die with the instance, found by cgroup and by marker: never a duplicate, nothing left.
    killInstance(undefined, r.marker, r.cgroup?.pids() ?? [])
    r.cgroup?.remove()
    try {
      r.logs.archiveInstance()
    } catch {
      // the folder is being removed
    }
  }

  // ---- stopping -----------------------------------------------------------------------------

  private alive(r: Replica): boolean {
    return r.wrapperPid !== undefined && r.startTicks !== undefined && isSameProcess(r.wrapperPid, r.startTicks)
  }

  private signalGroup(r: Replica, sig: NodeJS.Signals): void {
    if (r.wrapperPid !== undefined) signal(-r.wrapperPid, sig)
  }

  /** Resolves once the current instance has exited (true), or after `ms` (false). */
  private waitForExit(r: Replica, ms: number): Promise<boolean> {
    if (r.wrapperPid === undefined) return Promise.resolve(true)
    return new Promise((resolve) => {
      const deadline = this.now() + ms
      let done = false
      const finish = (value: boolean) => {
        if (done) return
        done = true
        clearInterval(poll)
        resolve(value)
      }
      r.exitWaiters.push(() => finish(true))
      // Adopted replicas are not our children: no exit event, so look.
      const poll = setInterval(() => {
        if (r.wrapperPid === undefined) return finish(true)
        if (!r.child && !this.alive(r)) {
          this.instanceExited(r, r.instance, {code: null, signal: null})
          return finish(true)
        }
        if (this.now() >= deadline) finish(false)
      }, 10)
    })
  }

  private stop(r: Replica, why: string): Promise<void> {
    if (r.stopping !== undefined) return r.stopping
    clearTimeout(r.restartTimer)
    r.restartTimer = undefined
    r.phase = 'Stopping'
    r.stopping = (async () => {
      if (r.wrapperPid !== undefined) {
        this.signalGroup(r, 'SIGTERM')
        if (!(await this.waitForExit(r, this.options.stopGraceMs))) {
          killInstance(this.alive(r) ? r.wrapperPid : undefined, r.marker, r.cgroup?.pids() ?? [])
          this.event(
            r,
            'Warning',
            'Killed',
            `did not stop within ${formatDelay(this.options.stopGraceMs)} of SIGTERM; killed`,
          )
          await this.waitForExit(r, 5000)
        }
      }
      r.workload.replicas.delete(r.id)
      removeReplicaFiles(r.dir, this.volumeRoot(r), r.tempVolume)
      this.event(r, 'Normal', 'Stopped', `stopped: ${why}`)
      this.options.onChange(r.workload.key)
    })()
    return r.stopping
  }

  async remove(key: WorkloadKey): Promise<void> {
    const workload = this.workloads.get(wid(key))
    if (!workload) return
    await Promise.all([...workload.replicas.values()].map((r) => this.stop(r, 'the worker was deleted or stopped')))
    this.workloads.delete(wid(key))
    rmSync(join(this.options.dir, key.workspace, key.name, workload.uid), {recursive: true, force: true})
  }

  // ---- observation --------------------------------------------------------------------------

  observe(key: WorkloadKey): ObservedWorkload | undefined {
    const workload = this.workloads.get(wid(key))
    if (!workload) return undefined
    const replicas = [...workload.replicas.values()]
      .sort((a, b) =>
        a.revision === b.revision ? a.index - b.index : a.revision === workload.desired?.revision ? -1 : 1,
      )
      .map(
        (r): ReplicaState => ({
          id: r.id,
          index: r.index,
          revision: r.revision,
          phase: r.phase,
          ...(this.programPid(r) ? {pid: this.programPid(r)} : {}),
          restarts: r.restarts,
          ...(r.lastExit ? {lastExit: r.lastExit} : {}),
          ...(r.startedAt !== undefined ? {startedAt: new Date(r.startedAt).toISOString()} : {}),
          ready: this.isReady(r),
          ...(this.isReady(r) ? {readySince: new Date(r.startedAt! + this.options.minReadyMs).toISOString()} : {}),
          crashLooping: r.crashLooping,
          ...(r.nextStartAt !== undefined ? {nextStartAt: new Date(r.nextStartAt).toISOString()} : {}),
          ...(r.message ? {message: r.message} : {}),
          ...(r.usage ? {usage: r.usage} : {}),
        }),
      )
    return {
      key,
      ...(workload.desired ? {revision: workload.desired.revision} : {}),
      replicas,
      rolloutBlocked: workload.rolloutBlocked,
      limits: this.support,
    }
  }

  // ---- housekeeping -------------------------------------------------------------------------

  private replicas(): Replica[] {
    return [...this.workloads.values()].flatMap((w) => [...w.replicas.values()])
  }

  private tick(): void {
    const replicas = this.replicas()
    // Adopted replicas: not our children, so their exit is noticed by looking.
    for (const r of replicas)
      if (!r.child && r.wrapperPid !== undefined && r.stopping === undefined && !this.alive(r))
        this.instanceExited(r, r.instance, {code: null, signal: null})
    this.watched = replicas.filter((r) => r.spec?.resources.limits.memory !== undefined && !r.cgroup?.dirs.memory)
  }

  /** The memory watchdog, where no cgroup enforces memory limits: reads only those replicas' own process trees. */
  private watchdog(): void {
    for (const r of this.watched) {
      const limit = r.spec?.resources.limits.memory
      if (r.wrapperPid === undefined || limit === undefined || r.watchdogKilled) continue
      const rss = treeStats(r.wrapperPid).reduce((sum, s) => sum + s.rss, 0)
      if (rss > limit) {
        r.watchdogKilled = true
        this.event(
          r,
          'Warning',
          'OOMKilled',
          `using ${Math.round(rss / 1048576)} MiB, over its memory limit of ${Math.round(limit / 1048576)} MiB; killed by the memory watchdog`,
        )
        killInstance(r.wrapperPid, r.marker, r.cgroup?.pids() ?? [])
      }
    }
  }

  /** Besides on writes (ReplicaLogs.watch), sizes are looked at every logs.checkMs; the copy is off the event loop. */
  private rotateLogs(): void {
    for (const r of this.replicas()) {
      if (r.wrapperPid !== undefined) this.background.run('log rotation', () => r.logs.rotateIfNeeded())
    }
  }

  async sample(): Promise<void> {
    const replicas = this.replicas().filter((r) => r.wrapperPid !== undefined)
    let tree: ProcessTree | undefined
    const now = this.now()
    for (const r of replicas) {
      let nanos = r.cgroup?.cpuNanos()
      let memory = r.cgroup?.memoryBytes()
      if (nanos === undefined || memory === undefined) {
        tree ??= processTree(allStats())
        const members = instanceMembers(r.wrapperPid!, tree)
        nanos ??= (members.reduce((sum, s) => sum + s.cpuTicks, 0) / TICKS_PER_SECOND) * 1e9
        memory ??= members.reduce((sum, s) => sum + s.rss, 0)
      }
      const since = r.lastCpu && now > r.lastCpu.at ? r.lastCpu.at : undefined
      const cpuCores = since !== undefined ? Math.max(0, (nanos - r.lastCpu!.nanos) / 1e6 / (now - since)) : undefined
      r.lastCpu = {nanos, at: now}
      const kept = r.usage?.cpuCores !== undefined ? {cpuCores: r.usage.cpuCores, cpuSince: r.usage.cpuSince} : {}
      r.usage = {
        ...(cpuCores !== undefined ? {cpuCores, cpuSince: new Date(since!).toISOString()} : kept),
        memoryBytes: memory,
      }
    }
  }

  private persist(r: Replica): void {
    const record: ReplicaRecord = {
      workspace: r.workload.key.workspace,
      name: r.workload.key.name,
      uid: r.workload.uid,
      resourceId: r.workload.resourceId,
      id: r.id,
      index: r.index,
      revision: r.revision,
      ...(r.wrapperPid !== undefined
        ? {wrapperPid: r.wrapperPid, startTicks: r.startTicks, startedAt: r.startedAt}
        : {}),
      ...(r.marker ? {marker: r.marker} : {}),
      ...(r.tempVolume ? {tempVolume: r.tempVolume} : {}),
      restarts: r.restarts,
      history: r.history,
      ...(r.lastExit ? {lastExit: r.lastExit} : {}),
    }
    try {
      writeRecord(r.dir, record)
    } catch {
      // the folder is being removed
    }
  }

  async adopt(): Promise<WorkloadKey[]> {
    const found: WorkloadKey[] = []
    for (const workspace of folders(this.options.dir)) {
      for (const name of folders(join(this.options.dir, workspace))) {
        for (const uid of folders(join(this.options.dir, workspace, name))) {
          for (const id of folders(join(this.options.dir, workspace, name, uid))) {
            const dir = join(this.options.dir, workspace, name, uid, id)
            const record = readRecord(dir)
            const running =
              record?.wrapperPid !== undefined &&
              record.startTicks !== undefined &&
              isSameProcess(record.wrapperPid, record.startTicks)
            // Folders that no valid worker could have made (an older drover took any workspace)
            // are not adopted: their processes are stopped and the folder goes.
            if (
              !record ||
              nameProblem(workspace) ||
              nameProblem(name) ||
              record.workspace !== workspace ||
              record.name !== name
            ) {
              if (record && running) killInstance(record.wrapperPid, record.marker, [])
              else if (record?.marker) killInstance(undefined, record.marker, [])
              rmSync(dir, {recursive: true, force: true})
              continue
            }
            const key = {workspace, name}
            let workload = this.workloads.get(wid(key))
            if (!workload) {
              workload = {key, uid, resourceId: record.resourceId, replicas: new Map(), rolloutBlocked: false}
              this.workloads.set(wid(key), workload)
              found.push(key)
            }
            const r: Replica = {
              workload,
              id,
              index: record.index,
              revision: record.revision,
              dir,
              logs: new ReplicaLogs(join(dir, 'logs'), this.options.logs),
              phase: 'Waiting',
              restarts: record.restarts,
              history: record.history ?? [],
              ...(record.lastExit ? {lastExit: record.lastExit} : {}),
              ...(record.marker ? {marker: record.marker} : {}),
              ...(record.tempVolume ? {tempVolume: record.tempVolume} : {}),
              crashLooping: false,
              instance: 1,
              oomBefore: 0,
              watchdogKilled: false,
              exitWaiters: [],
            }
            workload.replicas.set(id, r)
            if (this.layout) {
              const cgroup = new ReplicaCgroup(this.layout, `${uid}-${id}`)
              if (cgroup.procsFiles().some((f) => existsSync(f))) r.cgroup = cgroup
            }
            if (running) {
              // Still running: take it over, never start a second one.
              Object.assign(r, {
                phase: 'Running',
                wrapperPid: record.wrapperPid,
                startTicks: record.startTicks,
                startedAt: record.startedAt,
              })
              r.logs.watch((error) => this.background.failed('log rotation', error))
              r.oomBefore = r.cgroup?.oomKills() ?? 0
              this.event(
                r,
                'Normal',
                'Adopted',
                `adopted after a control plane restart (pid ${this.programPid(r) ?? record.wrapperPid})`,
              )
            } else if (record.wrapperPid !== undefined) {
              // It exited while no control plane ran: note how (what it left is killed), restart on the next sync.
              r.wrapperPid = record.wrapperPid
              r.startedAt = record.startedAt
              this.instanceExited(r, r.instance, {code: null, signal: null})
              clearTimeout(r.restartTimer)
              r.restartTimer = undefined
              r.nextStartAt = this.now()
            }
          }
        }
      }
    }
    return found
  }

  async logs(
    key: WorkloadKey,
    options: LogOptions,
    onLine: (line: LogLine) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const workload = this.workloads.get(wid(key))
    if (!workload) return
    const pick = () =>
      [...workload.replicas.values()]
        .filter((r) => options.replica === undefined || r.index === options.replica)
        .filter((r) => options.allRevisions || !workload.desired || r.revision === workload.desired.revision)
        .sort((a, b) => a.index - b.index || a.revision.localeCompare(b.revision))
    const followed = new Map<string, Promise<void>>()
    // The tails of the replicas, interleaved by the time of their lines. A line stored without
    // a time keeps its place after the line before it in its own file.
    const lines: (LogLine & {order: string})[] = []
    for (const r of pick()) {
      const replica = this.displayName(r)
      let order = ''
      for (const raw of tailLines(r.logs.files(options.previous), options.tailLines)) {
        const {time, text} = splitStamp(raw)
        if (time) order = time
        if (options.since !== undefined && (time === undefined || time < options.since)) continue
        lines.push({replica, line: text, ...(time ? {time} : {}), order})
      }
    }
    lines.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
    for (const {order: _, ...line} of lines) onLine(line)
    if (!options.follow || !signal || options.previous) return
    // The followers end with the request, or when the worker is deleted (its workload goes).
    const ended = new AbortController()
    const end = () => ended.abort()
    signal.addEventListener('abort', end, {once: true})
    const attach = (r: Replica, fromStart: boolean) => {
      if (followed.has(r.id)) return
      let offset = 0
      if (!fromStart) {
        try {
          offset = statSync(r.logs.current).size
        } catch {
          offset = 0
        }
      }
      followed.set(
        r.id,
        followFile(
          r.logs.current,
          offset,
          (raw) => {
            const {time, text} = splitStamp(raw)
            onLine({replica: this.displayName(r), line: text, ...(time ? {time} : {})})
          },
          ended.signal,
        ),
      )
    }
    for (const r of pick()) attach(r, false)
    // Replicas started while following (a rollout, a scale-up) are followed from their start.
    while (!ended.signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500)
        ended.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t)
            resolve()
          },
          {once: true},
        )
      })
      if (this.workloads.get(wid(key)) !== workload) end()
      else for (const r of pick()) attach(r, true)
    }
    signal.removeEventListener('abort', end)
    await Promise.all(followed.values())
  }

  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.timers) clearInterval(timer)
    for (const w of this.workloads.values()) {
      for (const r of w.replicas.values()) {
        clearTimeout(r.restartTimer)
        clearTimeout(r.readyTimer)
        r.child?.removeAllListeners()
        r.logs.unwatch()
      }
    }
  }
}

function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`
  return `${Math.round(ms / 60_000)} min`
}
