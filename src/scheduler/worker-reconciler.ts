// Level-based reconcile of one worker: read the stored worker fresh, resolve its stack and
// secrets, hand the runtime the desired state, and write the status the runtime reports back.
// Safe to run any number of times; the runtime's adoption makes it safe across restarts.
import {createHash} from 'node:crypto'
import {stringify as toYaml} from 'yaml'
import {canonicalJson, jsonEqual} from '../lib/canonical-json.js'
import {computeSpec, dataplaneOf, effectiveResources, isKubernetesCompute} from '../resources/compute.js'
import {formatRef} from '../resources/identifiers.js'
import {secretEnvName} from '../resources/names.js'
import {parseCpu, parseMemory} from '../resources/quantity.js'
import {type StackIdentity, formatStackRef, parseStackRef, resolveStack, stackIdentity} from '../resources/stack-ref.js'
import {joinSensitive} from '../resources/sensitive.js'
import type {WorkerSpec} from '../resources/model/worker-v1beta.js'
import {autoscalingSpec, workerSpec} from '../resources/rules.js'
import type {Json, ResourceStatus} from '../resources/stored.js'
import {
  type ClusterDataplane,
  type DesiredWorkload,
  type ObservedWorkload,
  type ProcessSpec,
  type RuntimeEvent,
  type WorkloadKey,
  type WorkloadRuntime,
  workloadId,
} from '../runtime/runtime.js'
import {type KubernetesObject, RenderError, renderWorker} from '../resources/kubernetes/render.js'
import type {ComputeSpec} from '../resources/model/compute-v1.js'
import {formatPath} from '../resources/problems.js'
import {
  type ResourceStore,
  type Sealed,
  StoreConflictError,
  StoreNotFoundError,
  type StoredRecord,
  listAll,
} from '../store/store.js'
import {type StatusInput, computeStatus} from './status.js'
import {isObject} from '../lib/json.js'

const text = (v: unknown) =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''

export interface ReconcilerDeps {
  store: ResourceStore
  runtime: WorkloadRuntime
  /** Decrypts a secret's data (the server's cipher). */
  unseal: (sealed: Sealed) => unknown
  /** The Node binary the built-in node stack runs programs with. */
  nodeBinary: string
  /** The autoscaler's current decision for a worker, if it has one. */
  scaledReplicas: (key: WorkloadKey) => number | undefined
  /** The autoscaler's conditions and scale-down window for a worker, if it scales it. */
  scaling?: (key: WorkloadKey) => {conditions: StatusInput['extraConditions']; recommendations: unknown[]} | undefined
  /** How often to look again while a worker is starting or rolling. */
  progressPollMs: number
  /** How long a replica runs before it counts as ready (a Deployment's minReadySeconds). */
  minReadyMs: number
  /** Kubernetes dataplanes of the configuration, by name (what a compute's dataplane names). */
  dataplanes?: ReadonlyMap<string, ClusterDataplane>
}

class CannotRun extends Error {}

const parseKey = (key: string): WorkloadKey => {
  const slash = key.indexOf('/')
  return {workspace: key.slice(0, slash), name: key.slice(slash + 1)}
}

/** Replicas wanted now: the autoscaler's count (never reset by an apply), else the spec's. */
export function desiredReplicas(
  worker: WorkerSpec,
  status: ResourceStatus | undefined,
  scaled: number | undefined,
): number {
  const scaling = autoscalingSpec(worker)
  const replicas = worker.replicas ?? 1
  if (!scaling) return replicas
  const min = scaling.minReplicas ?? 1
  const max = scaling.maxReplicas
  const live =
    scaled ??
    (typeof status?.desiredReplicas === 'number' && status.phase !== 'DryRun' ? status.desiredReplicas : replicas)
  return Math.min(max, Math.max(min, live))
}

interface SecretData {
  name: string
  workspace: string
  data: Record<string, string>
}

/** The processes' spec from the worker, its stack and the values of its secrets. */
export function processSpec(
  worker: WorkerSpec,
  stack: Json,
  secrets: readonly SecretData[],
  nodeBinary: string,
  identity: {name: string; workspace: string},
): ProcessSpec {
  const stackSpec = worker.stackSpec ?? {}
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(isObject(stack.environmentVars) ? stack.environmentVars : {})) env[k] = text(v)
  for (const [k, v] of Object.entries(worker.envs ?? {})) env[k] = text(v)
  // The identity the worker acts as (DataOS: DATAOS_RUN_AS_USER, DATAOS_RUN_AS_APIKEY).
  if (worker.runAsUser !== undefined) env.DROVER_RUN_AS_USER = worker.runAsUser
  if (worker.runAsApiKey !== undefined) env.DROVER_RUN_AS_APIKEY = worker.runAsApiKey
  const secretFiles: Record<string, string> = {}
  const byName = (name: string, workspace: string) => {
    const found = secrets.find((s) => s.name === name && s.workspace === workspace)
    if (!found) throw new CannotRun(`secret ${workspace}/${name} does not exist`)
    return found
  }
  for (const name of worker.secrets ?? []) {
    for (const [k, v] of Object.entries(byName(name, identity.workspace).data)) env[secretEnvName(k)] = v
  }
  for (const ref of worker.dataosSecrets ?? []) {
    const secret = byName(ref.name, ref.workspace ?? identity.workspace)
    const keys = ref.key !== undefined ? [ref.key] : (ref.keys ?? Object.keys(secret.data))
    for (const k of keys)
      if (!(k in secret.data))
        throw new CannotRun(`secret ${secret.workspace}/${secret.name} has no key ${JSON.stringify(k)}`)
    const how = (ref.consumptionType ?? 'envVars').toLowerCase()
    if (how === 'envvars') for (const k of keys) env[secretEnvName(k)] = secret.data[k]!
    else if (how === 'propfile')
      secretFiles[`${secret.name}.properties`] = keys
        .map((k) => `${k}=${secret.data[k]!.replace(/\n/g, '\\n')}\n`)
        .join('')
    else for (const k of keys) secretFiles[`${secret.name}/${k}`] = secret.data[k]!
  }
  const configFiles: Record<string, string> = {}
  for (const [k, v] of Object.entries(worker.configs ?? {})) configFiles[k] = text(v)
  // The stackSpec reaches the program as a file (DataOS's name for it), and the built-in node
  // stack's inline program as main.cjs.
  configFiles['jobconfig.yaml'] = toYaml(stackSpec, {lineWidth: 0})
  const context: Record<string, unknown> = {
    StackSpec: stackSpec,
    StackSpecFile: '{{.ConfigDir}}/jobconfig.yaml',
    NodeBinary: nodeBinary,
    Name: identity.name,
    Workspace: identity.workspace,
  }
  if (typeof stackSpec.source === 'string') {
    configFiles['main.cjs'] = stackSpec.source
    context.NodeProgram = '{{.ConfigDir}}/main.cjs'
  } else if (typeof stackSpec.script === 'string') {
    context.NodeProgram = stackSpec.script
  }
  const requests: Json = worker.resources?.requests ?? {}
  const limits: Json = worker.resources?.limits ?? {}
  const quantity = (q: Json, parse: (v: unknown) => number | undefined, k: string) =>
    q[k] === undefined ? {} : {[k]: parse(q[k])}
  const volumes: ProcessSpec['volumes'] = []
  for (const v of [...(worker.dataosVolumes ?? []), ...(worker.persistentVolume ? [worker.persistentVolume] : [])])
    volumes.push({
      name: v.name,
      path: v.directory,
      readOnly: v.readOnly === true,
      ...(v.subPath === undefined ? {} : {subPath: v.subPath}),
    })
  return {
    command: [
      ...(Array.isArray(stack.command) ? stack.command.map(String) : []),
      ...(Array.isArray(stack.arguments) ? stack.arguments.map(String) : []),
    ],
    context,
    ...(typeof stackSpec.workingDir === 'string' ? {workingDir: stackSpec.workingDir} : {}),
    env,
    configFiles,
    secretFiles,
    volumes,
    resources: {
      requests: {...quantity(requests, parseCpu, 'cpu'), ...quantity(requests, parseMemory, 'memory')},
      limits: {...quantity(limits, parseCpu, 'cpu'), ...quantity(limits, parseMemory, 'memory')},
    },
    logLevel: worker.logLevel ?? 'INFO',
    ...(worker.tempVolume === undefined ? {} : {tempVolume: worker.tempVolume}),
  }
}

/**
 * Identifies everything that affects the processes: a change means new replicas. A restart
 * (`drover restart`, the time it was asked for) is such a change, as kubectl's restartedAt
 * annotation is.
 */
export function revisionOf(spec: ProcessSpec, restartedAt?: string): string {
  const hash = createHash('sha256').update(canonicalJson(spec))
  if (restartedAt !== undefined) hash.update(`\nrestartedAt ${restartedAt}`)
  return hash.digest('hex').slice(0, 8)
}

/** On Kubernetes, whether the pods found nodes (the pods' PodScheduled, as one condition). */
function scheduling(observed: ObservedWorkload): NonNullable<StatusInput['extraConditions']> {
  const unschedulable = observed.replicas.find((r) => r.message?.startsWith('Unschedulable'))
  return [
    unschedulable
      ? {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: `${unschedulable.id}: ${unschedulable.message}`,
        }
      : {type: 'PodScheduled', status: 'True', reason: 'Scheduled', message: 'every pod has a node'},
  ]
}

/** The control plane's own marks in a worker's status (stop, restart), kept by every status write. */
function marks(status: ResourceStatus): Partial<ResourceStatus> {
  return {
    ...(status.stopped === true ? {stopped: true} : {}),
    ...(typeof status.restartedAt === 'string' ? {restartedAt: status.restartedAt} : {}),
  }
}

export class WorkerReconciler {
  /** The replica count each worker was last reconciled toward (the Operations page's charts). */
  readonly desired = new Map<string, number>()

  constructor(private readonly deps: ReconcilerDeps) {}

  private async stacks(): Promise<(StackIdentity & {section: Json})[]> {
    const out: (StackIdentity & {section: Json})[] = []
    for (const r of await listAll(this.deps.store, {type: 'stack'})) {
      const identity = stackIdentity(r.manifest.stack)
      if (identity) out.push({...identity, section: r.manifest.stack as Json})
    }
    return out
  }

  private async secrets(worker: WorkerSpec, workspace: string): Promise<SecretData[]> {
    const refs = new Map<string, {name: string; workspace: string}>()
    for (const name of worker.secrets ?? []) refs.set(`${workspace}/${name}`, {name, workspace})
    for (const ref of worker.dataosSecrets ?? []) {
      const ws = ref.workspace ?? workspace
      refs.set(`${ws}/${ref.name}`, {name: ref.name, workspace: ws})
    }
    const out: SecretData[] = []
    for (const ref of refs.values()) {
      const record = await this.deps.store.get({type: 'secret', workspace: ref.workspace, name: ref.name})
      if (!record?.sealed) continue
      const full = joinSensitive(record.manifest, this.deps.unseal(record.sealed) as Json, true)
      const data = isObject(full.secret) && isObject(full.secret.data) ? full.secret.data : {}
      out.push({...ref, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, text(v)]))})
    }
    return out
  }

  /** The worker's Kubernetes objects; a stopped worker renders with no replicas and no HPA. */
  private render(
    worker: WorkerSpec,
    stopped: boolean,
    stack: Json,
    compute: ComputeSpec,
    record: StoredRecord,
    key: WorkloadKey,
    secrets: SecretData[],
  ): KubernetesObject[] {
    const running: WorkerSpec = stopped
      ? {...worker, replicas: 0, autoscaling: undefined, autoScaling: undefined}
      : worker
    try {
      return renderWorker({
        name: key.name,
        workspace: key.workspace,
        version: record.version,
        worker: running,
        stack,
        compute,
        secrets,
        settings: {minReadySeconds: Math.ceil(this.deps.minReadyMs / 1000)},
      })
    } catch (error) {
      if (error instanceof RenderError) throw new CannotRun(`${formatPath(error.path)}: ${error.message}`)
      throw error
    }
  }

  private limitsProblem(spec: ProcessSpec): string | undefined {
    const support = this.deps.runtime.limits()
    const problems: string[] = []
    if (spec.resources.limits.cpu !== undefined && support.cpu === 'none')
      problems.push('the CPU limit is not enforced (no writable cgroup cpu controller on this host)')
    if (spec.resources.limits.memory !== undefined && support.memory === 'watchdog')
      problems.push('the memory limit is enforced by a watchdog that samples every few seconds, not by the kernel')
    if (spec.volumes.some((v) => v.readOnly) && !support.readOnlyVolumes)
      problems.push('readOnly volumes are writable (replicas are not isolated on this host: no mount namespace)')
    return problems.length > 0 ? problems.join('; ') : undefined
  }

  /** Reconciles `workspace/name`. */
  async reconcile(id: string): Promise<{requeueAfterMs?: number}> {
    const key = parseKey(id)
    const record = await this.deps.store.get({type: 'worker', workspace: key.workspace, name: key.name})
    if (!record) {
      await this.deps.runtime.remove(key)
      for (const dataplane of this.deps.dataplanes?.values() ?? []) await dataplane.remove(key)
      return {}
    }
    const manifest = record.sealed
      ? joinSensitive(record.manifest, this.deps.unseal(record.sealed) as Json, true)
      : record.manifest
    const worker = workerSpec(manifest)
    const scaled = this.deps.scaledReplicas(key)
    const scaling = this.deps.scaling?.(key)
    const stopped = record.status.stopped === true
    const desired = stopped ? 0 : desiredReplicas(worker, record.status, scaled)
    this.desired.set(workloadId(key), desired)
    let status: ResourceStatus
    let requeue: number | undefined
    if (worker.dryRun === true) {
      await this.deps.runtime.remove(key)
      status = computeStatus({
        generation: record.generation,
        desiredReplicas: desired,
        dryRun: true,
        previous: record.status,
        now: new Date().toISOString(),
      })
    } else {
      let workload: DesiredWorkload | undefined
      let cluster: {dataplane: ClusterDataplane; objects: KubernetesObject[]} | undefined
      let error: string | undefined
      try {
        const ref = parseStackRef(worker.stack)
        const stack = resolveStack(ref, await this.stacks())
        if (!stack) throw new CannotRun(`stack ${formatStackRef(ref)} is not registered`)
        const compute = await this.deps.store.get({type: 'compute', workspace: '', name: worker.compute})
        if (!compute) throw new CannotRun(`compute ${worker.compute} does not exist`)
        if (isKubernetesCompute(compute.manifest)) {
          const name = dataplaneOf(compute.manifest)
          const dataplane = this.deps.dataplanes?.get(name)
          if (!dataplane)
            throw new CannotRun(
              `compute ${worker.compute} runs on dataplane ${name}, which is not in this control plane's configuration (dataplanes:)`,
            )
          cluster = {
            dataplane,
            objects: this.render(
              worker,
              stopped,
              stack.section,
              computeSpec(compute.manifest),
              record,
              key,
              await this.secrets(worker, key.workspace),
            ),
          }
        }
        const spec = processSpec(
          {...worker, resources: effectiveResources(worker.resources, computeSpec(compute.manifest).defaults)},
          stack.section,
          await this.secrets(worker, key.workspace),
          this.deps.nodeBinary,
          key,
        )
        if (!cluster)
          workload = {
            key,
            uid: record.uid,
            resourceId: formatRef({type: 'worker', version: record.version, name: key.name, workspace: key.workspace}),
            revision: revisionOf(
              spec,
              typeof record.status.restartedAt === 'string' ? record.status.restartedAt : undefined,
            ),
            replicas: desired,
            spec,
          }
      } catch (e) {
        if (!(e instanceof CannotRun)) throw e
        error = e.message
      }
      let observed: ObservedWorkload | undefined
      if (cluster) {
        // Where it runs now, and nowhere else: a worker moved between computes leaves the other.
        if (this.deps.runtime.observe(key)) await this.deps.runtime.remove(key)
        for (const other of this.deps.dataplanes?.values() ?? [])
          if (other !== cluster.dataplane && other.observe(key)) await other.remove(key)
        try {
          observed = await cluster.dataplane.sync(key, cluster.objects)
        } catch (e) {
          // The cluster refused or did not answer: said in the status, tried again at the next resync.
          error = `dataplane ${cluster.dataplane.name}: ${(e as Error).message}`
          observed = cluster.dataplane.observe(key)
        }
      } else {
        for (const other of this.deps.dataplanes?.values() ?? []) if (other.observe(key)) await other.remove(key)
        observed = workload ? await this.deps.runtime.sync(workload) : this.deps.runtime.observe(key)
      }
      status = computeStatus({
        generation: record.generation,
        // On Kubernetes the HPA owns an autoscaled worker's count: the Deployment says it.
        desiredReplicas: cluster && observed?.desiredReplicas !== undefined ? observed.desiredReplicas : desired,
        extraConditions: [
          ...(scaling?.conditions ?? []),
          ...(cluster && observed ? [...(observed.scalingConditions ?? []), ...scheduling(observed)] : []),
        ],
        observed,
        dryRun: false,
        error,
        limitsProblem: workload && !cluster ? this.limitsProblem(workload.spec) : undefined,
        previous: record.status,
        now: new Date().toISOString(),
      })
      const settling =
        status.phase === 'Pending' ||
        status.phase === 'Progressing' ||
        (observed?.replicas.some((r) => r.phase === 'Running' && !r.ready) ?? false)
      if (settling) requeue = this.deps.progressPollMs
    }
    status = {...status, ...marks(record.status)}
    // The autoscaler's window goes into the status, so that a restarted control plane keeps it.
    const window = scaling ? {recommendations: scaling.recommendations} : record.status.autoscaler
    if (window !== undefined && autoscalingSpec(worker)) status.autoscaler = window
    // Written only over the version read: a spec applied meanwhile gets a fresh reconcile, not
    // a status computed from the old one.
    if ((await this.writeStatus(record, status)) === 'stale') return {requeueAfterMs: 0}
    return requeue === undefined ? {} : {requeueAfterMs: requeue}
  }

  private async writeStatus(record: StoredRecord, status: ResourceStatus): Promise<'written' | 'stale' | 'gone'> {
    if (jsonEqual(record.status, status)) return 'written'
    const before = record.status.phase
    try {
      await this.deps.store.putStatus(record.key, status, {ifResourceVersion: record.resourceVersion})
    } catch (error) {
      if (error instanceof StoreNotFoundError) return 'gone' // deleted meanwhile: the next reconcile removes its replicas
      if (error instanceof StoreConflictError) return 'stale'
      throw error
    }
    if (before !== status.phase) {
      const ready = `${status.readyReplicas ?? 0}/${status.desiredReplicas ?? 0} replicas ready`
      const warning = ['CrashLooping', 'Failed', 'Degraded'].includes(status.phase)
      await this.deps.store.addEvent(record.key, {
        type: warning ? 'Warning' : 'Normal',
        reason: status.phase,
        message: status.phase === 'Failed' ? String(status.lastError) : `${before} → ${status.phase}: ${ready}`,
      })
    }
    return 'written'
  }

  /** Runtime events go into the worker's event history. */
  /** Records what a runtime says of a worker (through `store` when given: one that is not fenced). */
  async recordEvent(event: RuntimeEvent, store: Pick<ResourceStore, 'addEvent'> = this.deps.store): Promise<void> {
    await store.addEvent(
      {type: 'worker', workspace: event.key.workspace, name: event.key.name},
      {type: event.type, reason: event.reason, message: event.message},
    )
  }
}
