// A Kubernetes dataplane (DESIGN §5, issue 10): the server applies a worker's rendered objects
// to the cluster with server-side apply (field manager `drover`) and reads its Deployment and
// pods back. @kubernetes/client-node is loaded here only, by the server, only when a dataplane
// is configured (it costs ~0.5 s and ~100 MB). Level-based, as the local runtime: every sync
// converges the whole worker, and sends nothing when nothing changed (each object carries the
// hash of what was applied; after a restart it is compared with the live object's, a read).
import {createHash} from 'node:crypto'
import {createInterface} from 'node:readline'
import {PassThrough} from 'node:stream'
import type {KubeConfig, KubernetesObject, KubernetesObjectApi, Log, PatchStrategy} from '@kubernetes/client-node'
import type {IDeployment} from 'kubernetes-models/apps/v1/Deployment'
import type {IPod} from 'kubernetes-models/v1/Pod'
import {canonicalJson} from '../../lib/canonical-json.js'
import {LABELS} from '../../resources/kubernetes/render.js'
import {
  type ClusterDataplane,
  type LogLine,
  type LogOptions,
  type ObservedWorkload,
  type WorkloadKey,
  workloadId,
} from '../runtime.js'
import {observeWorkload} from './observe.js'

export interface DataplaneSettings {
  /** A kubeconfig file; without one, the pod's service account (in-cluster). */
  kubeconfig?: string
  /** A context of the kubeconfig (default: its current context). */
  context?: string
}

const HASH = 'drover.dev/applied-hash'
const MANAGER = 'drover'
/** What a worker's objects can be, for pruning and removal (apply order). */
const KINDS: [apiVersion: string, kind: string][] = [
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['apps/v1', 'Deployment'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
]

type Obj = KubernetesObject & {kind: string; metadata: {name: string; namespace?: string}}
const objectKey = (o: {kind: string; metadata?: {name?: string; namespace?: string}}) =>
  `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`
const selectorOf = (key: WorkloadKey) =>
  `${LABELS.managedBy}=drover,${LABELS.workspace}=${key.workspace},${LABELS.worker}=${key.name}`
const isNotFound = (error: unknown) => (error as {code?: number}).code === 404
/** A read of what may not exist: undefined for a 404, any other error thrown. */
const orMissing = <T>(read: Promise<T>): Promise<T | undefined> =>
  read.catch((error: unknown) => {
    if (isNotFound(error)) return undefined
    throw error
  })

export class KubernetesDataplane implements ClusterDataplane {
  /** Per worker: the hash applied per object, and its namespace. */
  private readonly applied = new Map<string, {namespace: string; hashes: Map<string, string>}>()
  private readonly observed = new Map<string, ObservedWorkload>()
  private readonly namespaces = new Set<string>()

  private readonly serverSideApply: PatchStrategy
  private readonly logReader: Log

  private constructor(
    readonly name: string,
    private readonly config: KubeConfig,
    private readonly objects: KubernetesObjectApi,
    /** The lazily loaded client module. */
    k8s: typeof import('@kubernetes/client-node'),
  ) {
    this.serverSideApply = k8s.PatchStrategy.ServerSideApply
    this.logReader = new k8s.Log(config)
  }

  static async connect(name: string, settings: DataplaneSettings): Promise<KubernetesDataplane> {
    const k8s = await import('@kubernetes/client-node')
    const config = new k8s.KubeConfig()
    if (settings.kubeconfig) config.loadFromFile(settings.kubeconfig)
    else config.loadFromCluster()
    if (settings.context) config.setCurrentContext(settings.context)
    return new KubernetesDataplane(name, config, k8s.KubernetesObjectApi.makeApiClient(config), k8s)
  }

  async unreachable(): Promise<string | undefined> {
    try {
      const k8s = await import('@kubernetes/client-node')
      await this.config.makeApiClient(k8s.VersionApi).getCode()
      return undefined
    } catch (error) {
      return `dataplane ${this.name} (${this.config.getCurrentCluster()?.server ?? 'no server'}) does not answer: ${(error as Error).message}`
    }
  }

  private async ensureNamespace(namespace: string): Promise<void> {
    if (this.namespaces.has(namespace)) return
    const existing = await orMissing(
      this.objects.read({apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace}}),
    )
    if (!existing)
      await this.objects.patch(
        {apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace, labels: {[LABELS.managedBy]: MANAGER}}},
        undefined,
        undefined,
        MANAGER,
        true,
        this.serverSideApply,
      )
    this.namespaces.add(namespace)
  }

  async sync(
    key: WorkloadKey,
    rendered: readonly {kind: string; metadata?: {name?: string; namespace?: string}}[],
  ): Promise<ObservedWorkload> {
    const objects = rendered as unknown as Obj[]
    const namespace = objects[0]?.metadata.namespace ?? key.workspace
    await this.ensureNamespace(namespace)
    const id = workloadId(key)
    const before = this.applied.get(id)
    const hashes = new Map<string, string>()
    for (const object of objects) {
      const hash = createHash('sha256').update(canonicalJson(object)).digest('hex').slice(0, 16)
      const k = objectKey(object)
      hashes.set(k, hash)
      if (before?.hashes.get(k) === hash) continue
      if (!before) {
        // Not applied since this control plane started: the live object says what was.
        const live = await orMissing(this.objects.read(object))
        if (live?.metadata?.annotations?.[HASH] === hash) continue
      }
      const annotated = {
        ...object,
        metadata: {
          ...object.metadata,
          annotations: {...(object.metadata as {annotations?: object}).annotations, [HASH]: hash},
        },
      }
      await this.objects.patch(annotated, undefined, undefined, MANAGER, true, this.serverSideApply)
    }
    // Objects it no longer renders (an HPA when autoscaling goes off, a secret no longer used):
    // looked for when the set changes, and once after a start.
    const sameSet =
      before && before.hashes.size === hashes.size && [...hashes.keys()].every((k) => before.hashes.has(k))
    if (!sameSet || before.namespace !== namespace) await this.prune(key, new Set(hashes.keys()))
    this.applied.set(id, {namespace, hashes})
    return this.read(key, namespace)
  }

  private async prune(key: WorkloadKey, keep: ReadonlySet<string>): Promise<void> {
    for (const [apiVersion, kind] of KINDS) {
      const list = await this.objects.list(
        apiVersion,
        kind,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        selectorOf(key),
      )
      for (const item of list.items) {
        const object = {...item, apiVersion, kind} as Obj
        if (!keep.has(objectKey(object))) await this.deleteObject(object)
      }
    }
  }

  private async deleteObject(object: Obj): Promise<void> {
    await this.objects
      .delete(object, undefined, undefined, undefined, undefined, 'Foreground')
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error
      })
  }

  private async read(key: WorkloadKey, namespace: string): Promise<ObservedWorkload> {
    const deployment = (await orMissing(
      this.objects.read({apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: key.name, namespace}}),
    )) as IDeployment | undefined
    const selector = `${LABELS.workspace}=${key.workspace},${LABELS.worker}=${key.name}`
    const pods = await this.objects.list('v1', 'Pod', namespace, undefined, undefined, undefined, undefined, selector)
    const observed = observeWorkload(key, deployment, pods.items as IPod[])
    this.observed.set(workloadId(key), observed)
    return observed
  }

  /**
   * The pods' logs through pods/log, with Kubernetes' timestamps: the last `tailLines` of each pod
   * of the current revision (every revision with allRevisions), interleaved by time; followed,
   * each line as it comes until every stream ends or `signal` aborts.
   */
  async logs(
    key: WorkloadKey,
    options: LogOptions,
    onLine: (line: LogLine) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const namespace = this.applied.get(workloadId(key))?.namespace
    const observed = this.observed.get(workloadId(key))
    if (!namespace || !observed) return
    const pods = observed.replicas.filter(
      (r) =>
        (options.allRevisions || r.revision === observed.revision) &&
        (options.replica === undefined || r.index === options.replica),
    )
    const collected: LogLine[] = []
    const emit = options.follow ? onLine : (line: LogLine) => collected.push(line)
    await Promise.all(pods.map((pod) => this.podLog(namespace, pod.id, options, emit, signal)))
    if (!options.follow)
      for (const line of collected.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''))) onLine(line)
  }

  private async podLog(
    namespace: string,
    pod: string,
    options: LogOptions,
    onLine: (line: LogLine) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const stream = new PassThrough()
    const ended = new Promise<void>((resolve) => {
      createInterface({input: stream})
        .on('line', (text) => {
          // RFC 3339 with nanoseconds, a space, the line: stored as the local runtime stores it.
          const m = /^(\d{4}-\d\d-\d\dT\S+Z) (.*)$/.exec(text)
          const time = m ? new Date(m[1]!) : undefined
          if (m && time && !Number.isNaN(time.getTime())) onLine({replica: pod, line: m[2]!, time: time.toISOString()})
          else onLine({replica: pod, line: text})
        })
        .on('close', resolve)
    })
    let controller: AbortController
    try {
      controller = await this.logReader.log(namespace, pod, 'worker', stream, {
        timestamps: true,
        follow: options.follow,
        previous: options.previous,
        ...(options.tailLines > 0 && options.tailLines < 1_000_000 ? {tailLines: options.tailLines} : {}),
        // The client leaves out tailLines=0 (all lines): nothing before now, then.
        ...(options.since || options.tailLines === 0
          ? {sinceTime: options.tailLines === 0 ? new Date().toISOString() : options.since}
          : {}),
      })
    } catch (error) {
      stream.end()
      if (isNotFound(error) || (error as {code?: number}).code === 400) return // gone, or no previous run
      throw error
    }
    const abort = () => {
      controller.abort()
      stream.end()
    }
    if (signal?.aborted) abort()
    signal?.addEventListener('abort', abort, {once: true})
    await ended
    signal?.removeEventListener('abort', abort)
  }

  async remove(key: WorkloadKey): Promise<void> {
    await this.prune(key, new Set())
    this.applied.delete(workloadId(key))
    this.observed.delete(workloadId(key))
  }

  observe(key: WorkloadKey): ObservedWorkload | undefined {
    return this.observed.get(workloadId(key))
  }

  keys(): WorkloadKey[] {
    return [...this.applied.keys()].map((id) => {
      const [workspace, name] = id.split('/') as [string, string]
      return {workspace, name}
    })
  }
}
