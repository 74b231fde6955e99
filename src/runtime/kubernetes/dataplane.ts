// A Kubernetes dataplane (DESIGN §5, issue 10): the server applies a worker's rendered objects
// to the cluster with server-side apply (field manager `drover`) and reads what runs from
// informers: Deployments, pods and HPAs of drover's label, cluster-wide, and the events of the
// namespaces it uses, listed once and then watched (bookmarks; a 410 relists; an error retries
// with back-off). A change wakes the worker it concerns; events are forwarded, once each.
// @kubernetes/client-node is loaded here only, by the server, only when a dataplane is
// configured (it costs ~0.5 s and ~100 MB). Level-based, as the local runtime: every sync
// converges the whole worker, and sends nothing when nothing changed (each object carries the
// hash of what was applied; after a restart it is compared with the live object's).
import {createHash} from 'node:crypto'
import {createInterface} from 'node:readline'
import {Readable} from 'node:stream'
import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  KubernetesObjectApi,
  ListWatch,
  PatchStrategy,
} from '@kubernetes/client-node'
import type {IDeployment} from 'kubernetes-models/apps/v1/Deployment'
import type {IHorizontalPodAutoscaler} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type {IEvent} from 'kubernetes-models/v1/Event'
import type {IPod} from 'kubernetes-models/v1/Pod'
import {canonicalJson} from '../../lib/canonical-json.js'
import {LABELS} from '../../resources/kubernetes/render.js'
import {
  type ClusterDataplane,
  type LogLine,
  type LogOptions,
  type ObservedWorkload,
  type RuntimeEvent,
  type WorkloadKey,
  workloadId,
} from '../runtime.js'
import {forwardedEvent, observeWorkload, usageOf} from './observe.js'

export interface DataplaneSettings {
  /** A kubeconfig file; without one, the pod's service account (in-cluster). */
  kubeconfig?: string
  /** A context of the kubeconfig (default: its current context). */
  context?: string
}

export interface DataplaneListeners {
  /** Something of the worker changed in the cluster (its Deployment, a pod, its HPA). */
  onChange?: (key: WorkloadKey) => void
  /** A Kubernetes event about one of the worker's objects, once per occurrence. */
  onEvent?: (event: RuntimeEvent) => void
  /** A watch failed; it is retried with back-off. */
  onError?: (what: string, error: unknown) => void
  /**
   * The epoch of the lease this control plane leads under, asked before every write to the
   * cluster; undefined when it does not lead, and the write is refused (decision 0015). The
   * epoch is written on each applied object (drover.dev/epoch): which leader wrote it.
   */
  fence?: () => number | undefined
}

const HASH = 'drover.dev/applied-hash'
const EPOCH = 'drover.dev/epoch'
const MANAGER = 'drover'
const MANAGED = `${LABELS.managedBy}=${MANAGER}`
/** What a worker's objects can be, for pruning and removal (apply order). */
const KINDS: [apiVersion: string, kind: string][] = [
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['apps/v1', 'Deployment'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
]
/** Back-off of a watch that failed: 1 s, doubling, at most 30 s (client-go's reflector's). */
const RETRY_MS = [1000, 30_000] as const

type Obj = KubernetesObject & {kind: string; metadata: {name: string; namespace?: string}}
const objectKey = (o: {kind: string; metadata?: {name?: string; namespace?: string}}) =>
  `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`
const selectorOf = (key: WorkloadKey) => `${MANAGED},${LABELS.workspace}=${key.workspace},${LABELS.worker}=${key.name}`
const keyOf = (o: {metadata?: {labels?: Record<string, string>}} | undefined): WorkloadKey | undefined => {
  const labels = o?.metadata?.labels
  const workspace = labels?.[LABELS.workspace]
  const name = labels?.[LABELS.worker]
  return workspace && name ? {workspace, name} : undefined
}
const isNotFound = (error: unknown) => (error as {code?: number}).code === 404
/** A read of what may not exist: undefined for a 404, any other error thrown. */
const orMissing = <T>(read: Promise<T>): Promise<T | undefined> =>
  read.catch((error: unknown) => {
    if (isNotFound(error)) return undefined
    throw error
  })

/** An informer, whether it has listed since it last failed, and its retry. */
class Watched<T extends KubernetesObject> {
  synced = false
  private failures = 0
  private retry?: NodeJS.Timeout
  private stopped = false

  constructor(
    readonly what: string,
    readonly informer: ListWatch<T>,
    onError: (what: string, error: unknown) => void,
  ) {
    informer.on('connect', () => {
      this.failures = 0
    })
    informer.on('error', (error) => {
      this.synced = false
      if (this.stopped) return
      onError(what, error)
      const delay = Math.min(RETRY_MS[0] * 2 ** this.failures++, RETRY_MS[1])
      this.retry = setTimeout(() => {
        this.start().catch((e: unknown) => onError(what, e))
      }, delay)
    })
  }

  async start(): Promise<void> {
    this.stopped = false
    await this.informer.start()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.retry)
    await this.informer.stop()
  }
}

export class KubernetesDataplane implements ClusterDataplane {
  /** Per worker: the hash applied per object, and its namespace. */
  private readonly applied = new Map<string, {namespace: string; hashes: Map<string, string>}>()
  private readonly observed = new Map<string, ObservedWorkload>()
  private readonly namespaces = new Set<string>()
  private readonly deployments: Watched<IDeployment & KubernetesObject>
  private readonly pods: Watched<IPod & KubernetesObject>
  private readonly hpas: Watched<IHorizontalPodAutoscaler & KubernetesObject>
  private readonly events = new Map<string, Watched<IEvent & KubernetesObject>>()
  /** Kubernetes events forwarded, by uid: the count forwarded last (a repeat raises it). */
  private readonly forwarded = new Map<string, number>()
  /** Followed logs of each worker, ended when it is removed. */
  private readonly followers = new Map<string, Set<() => void>>()
  /** Events that happened before this control plane started were forwarded by the one before. */
  private readonly startedAt = new Date().toISOString()
  private started = false
  private closed = false

  private readonly serverSideApply: PatchStrategy

  private constructor(
    readonly name: string,
    private readonly config: KubeConfig,
    private readonly objects: KubernetesObjectApi,
    /** The lazily loaded client module. */
    private readonly k8s: typeof import('@kubernetes/client-node'),
    private readonly listeners: DataplaneListeners,
  ) {
    this.serverSideApply = k8s.PatchStrategy.ServerSideApply
    const wake = (o: KubernetesObject) => {
      const key = keyOf(o)
      if (key) listeners.onChange?.(key)
    }
    this.deployments = this.watch<IDeployment & KubernetesObject>(
      'Deployments',
      'apps/v1',
      'Deployment',
      undefined,
      MANAGED,
      wake,
    )
    this.pods = this.watch<IPod & KubernetesObject>('pods', 'v1', 'Pod', undefined, MANAGED, wake)
    this.hpas = this.watch<IHorizontalPodAutoscaler & KubernetesObject>(
      'HorizontalPodAutoscalers',
      'autoscaling/v2',
      'HorizontalPodAutoscaler',
      undefined,
      MANAGED,
      wake,
    )
  }

  /** The dataplane; start() starts watching. */
  static async connect(
    name: string,
    settings: DataplaneSettings,
    listeners: DataplaneListeners = {},
  ): Promise<KubernetesDataplane> {
    const k8s = await import('@kubernetes/client-node')
    const config = new k8s.KubeConfig()
    if (settings.kubeconfig) config.loadFromFile(settings.kubeconfig)
    else config.loadFromCluster()
    if (settings.context) config.setCurrentContext(settings.context)
    return new KubernetesDataplane(name, config, k8s.KubernetesObjectApi.makeApiClient(config), k8s, listeners)
  }

  /**
   * Starts the informers: they list in the background (a cluster that does not answer yet is
   * retried), and until they have, what runs is read with GET and LIST.
   */
  start(): void {
    for (const watched of [this.deployments, this.pods, this.hpas]) this.begin(watched)
  }

  /**
   * An informer of `kind` (in `namespace`, or cluster-wide) whose every change calls `changed`,
   * and a deletion `removed` when given.
   */
  private watch<T extends KubernetesObject>(
    what: string,
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labelSelector: string | undefined,
    changed: (object: T) => void,
    removed: (object: T) => void = changed,
  ): Watched<T> {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion]
    const plural = `${kind.toLowerCase()}s`
    const path = `${group ? `/apis/${group}/${version}` : `/api/${version}`}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`
    // client-node's watch does not ask for bookmarks: this one does, so that a quiet watch
    // resumes from a recent resourceVersion instead of relisting.
    class BookmarkWatch extends this.k8s.Watch {
      override watch(
        p: string,
        query: Record<string, unknown>,
        callback: (phase: string, object: unknown, watchObject?: unknown) => void,
        done: (error: unknown) => void,
      ): Promise<AbortController> {
        return super.watch(p, {...query, allowWatchBookmarks: true}, callback, done)
      }
    }
    let watched: Watched<T> | undefined
    const list = async () => {
      const result = (await this.objects.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      )) as KubernetesListObject<T>
      if (watched) watched.synced = true
      return result
    }
    const informer = new this.k8s.ListWatch<T>(path, new BookmarkWatch(this.config), list, false, labelSelector)
    informer.on('add', changed)
    informer.on('update', changed)
    informer.on('delete', removed)
    watched = new Watched(what, informer, (w, error) =>
      this.listeners.onError?.(`watch ${w} of dataplane ${this.name}`, error),
    )
    return watched
  }

  /** Starts an informer in the background: its errors are reported and it retries by itself. */
  private begin(watched: Watched<KubernetesObject>): void {
    if (this.closed) return
    this.started = true
    watched
      .start()
      .catch((error: unknown) => this.listeners.onError?.(`watch ${watched.what} of dataplane ${this.name}`, error))
  }

  /** The events of a namespace drover uses: forwarded to the worker whose object they are about. */
  private watchEvents(namespace: string): void {
    if (this.events.has(namespace) || !this.started) return
    const watched = this.watch<IEvent & KubernetesObject>(
      `events in ${namespace}`,
      'v1',
      'Event',
      namespace,
      undefined,
      (event) => this.forward(event),
      // An event Kubernetes expired (an hour, by default) is forgotten here too.
      (event) => this.forwarded.delete(event.metadata?.uid ?? ''),
    )
    this.events.set(namespace, watched)
    this.begin(watched)
  }

  private forward(event: IEvent): void {
    const uid = event.metadata?.uid
    if (!uid || event.metadata?.deletionTimestamp) return
    const count = event.count ?? event.series?.count ?? 1
    const last = String(
      event.lastTimestamp ??
        event.series?.lastObservedTime ??
        event.eventTime ??
        event.metadata?.creationTimestamp ??
        '',
    )
    if ((this.forwarded.get(uid) ?? 0) >= count || (last && last < this.startedAt)) return
    const involved = event.involvedObject
    const namespace = involved.namespace ?? event.metadata?.namespace ?? ''
    let key: WorkloadKey | undefined
    if (involved.kind === 'Pod') key = keyOf(this.pods.informer.get(involved.name ?? '', namespace))
    else if (involved.kind === 'Deployment' || involved.kind === 'HorizontalPodAutoscaler')
      key = keyOf(this.deployments.informer.get(involved.name ?? '', namespace))
    else if (involved.kind === 'ReplicaSet')
      key = keyOf(this.deployments.informer.get((involved.name ?? '').replace(/-[^-]+$/, ''), namespace))
    if (!key) return
    this.forwarded.set(uid, count)
    this.listeners.onEvent?.({key, ...forwardedEvent(event)})
  }

  async unreachable(): Promise<string | undefined> {
    try {
      await this.config.makeApiClient(this.k8s.VersionApi).getCode()
      return undefined
    } catch (error) {
      return `dataplane ${this.name} (${this.config.getCurrentCluster()?.server ?? 'no server'}) does not answer: ${(error as Error).message}`
    }
  }

  /** Throws unless this control plane may write to the cluster now; the epoch it leads under. */
  private writable(): number | undefined {
    if (!this.listeners.fence) return undefined
    const epoch = this.listeners.fence()
    if (epoch === undefined)
      throw new Error(`fenced: this control plane no longer leads; not writing to dataplane ${this.name}`)
    return epoch
  }

  private async ensureNamespace(namespace: string): Promise<void> {
    if (this.namespaces.has(namespace)) return
    const existing = await orMissing(
      this.objects.read({apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace}}),
    )
    if (!existing) {
      this.writable()
      await this.objects.patch(
        {apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace, labels: {[LABELS.managedBy]: MANAGER}}},
        undefined,
        undefined,
        MANAGER,
        true,
        this.serverSideApply,
      )
    }
    this.namespaces.add(namespace)
    this.watchEvents(namespace)
  }

  /** The live object, from an informer's cache when it has one for the kind and has listed. */
  private async live(object: Obj): Promise<KubernetesObject | undefined> {
    const cached =
      object.kind === 'Deployment'
        ? this.deployments
        : object.kind === 'HorizontalPodAutoscaler'
          ? this.hpas
          : undefined
    if (cached?.synced) return cached.informer.get(object.metadata.name, object.metadata.namespace)
    return orMissing(this.objects.read(object))
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
      // Not applied since this control plane started: the live object says what was.
      if (!before && (await this.live(object))?.metadata?.annotations?.[HASH] === hash) continue
      const epoch = this.writable()
      const annotated = {
        ...object,
        metadata: {
          ...object.metadata,
          annotations: {
            ...(object.metadata as {annotations?: object}).annotations,
            [HASH]: hash,
            ...(epoch === undefined ? {} : {[EPOCH]: String(epoch)}),
          },
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
    this.writable()
    await this.objects
      .delete(object, undefined, undefined, undefined, undefined, 'Foreground')
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error
      })
  }

  /** What runs: from the informers once they have listed (no request), else with GET and LIST. */
  private async read(key: WorkloadKey, namespace: string): Promise<ObservedWorkload> {
    const ours = (o: KubernetesObject) => {
      const k = keyOf(o)
      return k?.workspace === key.workspace && k.name === key.name
    }
    let deployment: IDeployment | undefined
    let pods: IPod[]
    if (this.deployments.synced && this.pods.synced) {
      deployment = this.deployments.informer.get(key.name, namespace)
      pods = this.pods.informer.list(namespace).filter(ours)
    } else {
      deployment = (await orMissing(
        this.objects.read({apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: key.name, namespace}}),
      )) as IDeployment | undefined
      const selector = `${LABELS.workspace}=${key.workspace},${LABELS.worker}=${key.name}`
      pods = (await this.objects.list('v1', 'Pod', namespace, undefined, undefined, undefined, undefined, selector))
        .items as IPod[]
    }
    const hpa = this.hpas.synced ? this.hpas.informer.get(key.name, namespace) : undefined
    const observed = observeWorkload(key, deployment, pods, hpa)
    this.observed.set(workloadId(key), observed)
    return observed
  }

  async sample(key: WorkloadKey): Promise<{observed?: ObservedWorkload; usageUnavailable?: string}> {
    const applied = this.applied.get(workloadId(key))
    if (!applied) return {}
    const observed = await this.read(key, applied.namespace)
    let metrics: Awaited<ReturnType<InstanceType<typeof this.k8s.Metrics>['getPodMetrics']>>
    try {
      metrics = await new this.k8s.Metrics(this.config).getPodMetrics(applied.namespace)
    } catch (error) {
      return {
        observed,
        usageUnavailable: `the cluster serves no pod metrics (metrics.k8s.io: ${(error as Error).message}); is metrics-server installed?`,
      }
    }
    const byPod = new Map(metrics.items.map((m) => [m.metadata.name, m]))
    return {
      observed: {
        ...observed,
        replicas: observed.replicas.map((r) => {
          const usage = usageOf(byPod.get(r.id))
          return usage ? {...r, usage} : r
        }),
      },
    }
  }

  /**
   * The pods' logs through pods/log, with Kubernetes' timestamps: the last `tailLines` of each pod
   * of the current revision (every revision with allRevisions), interleaved by time. Followed:
   * each line as it comes, and the pods that start meanwhile (a rollout, a scale-up, a restarted
   * container) from their first line, until `signal` aborts or the worker is removed; without
   * watches (not started), until every stream ends.
   */
  async logs(
    key: WorkloadKey,
    options: LogOptions,
    onLine: (line: LogLine) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const id = workloadId(key)
    const namespace = this.applied.get(id)?.namespace
    const observed = this.observed.get(id)
    if (!namespace || !observed) return
    const pods = observed.replicas.filter(
      (r) =>
        (options.allRevisions || r.revision === observed.revision) &&
        (options.replica === undefined || r.index === options.replica),
    )
    if (!options.follow) {
      const collected: LogLine[] = []
      await Promise.all(pods.map((pod) => this.podLog(namespace, pod.id, options, (l) => collected.push(l))))
      for (const line of collected.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''))) onLine(line)
      return
    }
    const ended = new AbortController()
    const end = () => ended.abort()
    if (signal?.aborted) end()
    signal?.addEventListener('abort', end, {once: true})
    const followers = this.followers.get(id) ?? new Set<() => void>()
    followers.add(end)
    this.followers.set(id, followers)
    const streams: Promise<void>[] = []
    const attached = new Set<string>()
    const attach = (pod: string, restarts: number, fromStart: boolean) => {
      if (attached.has(`${pod}#${restarts}`)) return
      attached.add(`${pod}#${restarts}`)
      const from: LogOptions = fromStart ? {...options, tailLines: -1, since: undefined} : options
      streams.push(this.podLog(namespace, pod, from, onLine, ended.signal))
    }
    for (const pod of pods) attach(pod.id, pod.restarts, false)
    const started = (pod: IPod & KubernetesObject) => {
      const k = keyOf(pod)
      const container = pod.status?.containerStatuses?.[0]
      if (k?.workspace !== key.workspace || k.name !== key.name || !container?.state?.running) return
      const revision = this.deployments.informer.get(key.name, namespace)?.metadata?.labels?.[LABELS.revision]
      if (!options.allRevisions && pod.metadata?.labels?.[LABELS.revision] !== revision) return
      const name = pod.metadata?.name ?? ''
      const index = this.observed.get(id)?.replicas.find((r) => r.id === name)?.index
      if (options.replica !== undefined && index !== options.replica) return
      attach(name, container.restartCount ?? 0, true)
    }
    try {
      if (!this.pods.synced) await Promise.all(streams)
      else {
        this.pods.informer.on('add', started)
        this.pods.informer.on('update', started)
        if (!ended.signal.aborted) await new Promise((resolve) => ended.signal.addEventListener('abort', resolve))
        await Promise.all(streams)
      }
    } finally {
      this.pods.informer.off('add', started)
      this.pods.informer.off('update', started)
      signal?.removeEventListener('abort', end)
      followers.delete(end)
    }
  }

  /**
   * One pod's pods/log, line by line, until it ends or `signal` aborts. Requested here rather than
   * with client-node's Log, whose stream errors unhandled when its request is aborted (an
   * unhandled 'error' event would end the control plane); the kubeconfig's credentials and TLS
   * are client-node's all the same.
   */
  private async podLog(
    namespace: string,
    pod: string,
    options: LogOptions,
    onLine: (line: LogLine) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const url = new URL(
      `${this.config.getCurrentCluster()?.server ?? ''}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
    )
    const query = url.searchParams
    query.set('container', 'worker')
    query.set('timestamps', 'true')
    if (options.follow) query.set('follow', 'true')
    if (options.previous) query.set('previous', 'true')
    if (options.tailLines >= 0 && options.tailLines < 1_000_000) {
      // tailLines=0 is every line to Kubernetes: nothing before now, then.
      if (options.tailLines === 0) query.set('sinceTime', new Date().toISOString())
      else query.set('tailLines', String(options.tailLines))
    }
    if (options.since && options.tailLines !== 0) query.set('sinceTime', options.since)
    const context = new this.k8s.RequestContext(url.toString(), this.k8s.HttpMethod.GET)
    await this.config.applySecurityAuthentication(context)
    const {fetch} = await import('undici')
    try {
      const response = await fetch(url, {
        headers: context.getHeaders(),
        dispatcher: context.getDispatcher(),
        ...(signal ? {signal} : {}),
      })
      if (response.status === 404 || response.status === 400) {
        await response.body?.cancel() // gone, or no previous run
        return
      }
      if (!response.ok || !response.body)
        throw new Error(`pods/log of ${pod}: ${response.status} ${(await response.text()).slice(0, 200)}`)
      const body = Readable.fromWeb(response.body)
      for await (const text of createInterface({input: body, crlfDelay: Number.POSITIVE_INFINITY})) {
        // RFC 3339 with nanoseconds, a space, the line: stored as the local runtime stores it.
        const m = /^(\d{4}-\d\d-\d\dT\S+Z) (.*)$/.exec(text)
        const time = m ? new Date(m[1]!) : undefined
        if (m && time && !Number.isNaN(time.getTime())) onLine({replica: pod, line: m[2]!, time: time.toISOString()})
        else onLine({replica: pod, line: text})
      }
    } catch (error) {
      if (signal?.aborted) return // the reader went away, or the worker did
      throw error
    }
  }

  async remove(key: WorkloadKey): Promise<void> {
    for (const end of this.followers.get(workloadId(key)) ?? []) end()
    await this.prune(key, new Set())
    this.applied.delete(workloadId(key))
    this.observed.delete(workloadId(key))
  }

  observe(key: WorkloadKey): ObservedWorkload | undefined {
    return this.observed.get(workloadId(key))
  }

  keys(): WorkloadKey[] {
    // Those synced, and those whose Deployment is in the cluster: a worker deleted while no
    // control plane ran is reconciled, found gone, and removed.
    const ids = new Set(this.applied.keys())
    for (const deployment of this.deployments.informer.list()) {
      const key = keyOf(deployment)
      if (key) ids.add(workloadId(key))
    }
    return [...ids].map((id) => {
      const slash = id.indexOf('/')
      return {workspace: id.slice(0, slash), name: id.slice(slash + 1)}
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([this.deployments, this.pods, this.hpas, ...this.events.values()].map((w) => w.stop()))
  }
}
