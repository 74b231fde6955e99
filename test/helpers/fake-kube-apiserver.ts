// TEST DOUBLE. A fake Kubernetes API server, for tests only: no kube-apiserver can run on these
// machines (research/scale-out.md), so the Kubernetes dataplane is tested against this, driven by
// the real @kubernetes/client-node. It implements exactly what drover uses and nothing more:
// /version, discovery of the groups drover renders into, server-side apply (PATCH with
// application/apply-patch+yaml: the applied object replaces the fields it names; status, and
// spec.replicas when the applied object leaves it out, are kept, as the real field ownership
// would keep them), GET and LIST (equality label selectors), DELETE (propagationPolicy recorded),
// pods/log (lines the test writes with writeLog: timestamps, tailLines, sinceTime, previous,
// follow until endLog or stop), WATCH of a collection (?watch=true: the changes after the
// resourceVersion asked for, then each change as it happens; BOOKMARK events, to watches that
// asked with allowWatchBookmarks, when the test calls bookmark() or ends the watches with
// closeWatches(), as at a watch's timeout; compact() ends the watches and forgets the history,
// after which a watch from an older resourceVersion gets an ERROR event with a 410 Status, as an
// API server whose etcd compacted does), metrics.k8s.io PodMetrics for the pods the test gives
// usage with setPodMetrics (404 until then: no metrics-server). Not implemented: admission,
// field managers' conflicts, validation, watch timeouts. The contract tests against a real
// cluster (DROVER_K8S_CONTRACT=1) cover what this cannot.
import {randomUUID} from 'node:crypto'
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {parse as parseYaml} from 'yaml'

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    resourceVersion?: string
    uid?: string
    creationTimestamp?: string
    [k: string]: unknown
  }
  spec?: Record<string, unknown>
  status?: Record<string, unknown>
  [k: string]: unknown
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  contentType?: string
  body?: unknown
}

interface Resource {
  group: string
  version: string
  name: string
  kind: string
  namespaced: boolean
}

const RESOURCES: Resource[] = [
  {group: '', version: 'v1', name: 'namespaces', kind: 'Namespace', namespaced: false},
  {group: '', version: 'v1', name: 'configmaps', kind: 'ConfigMap', namespaced: true},
  {group: '', version: 'v1', name: 'secrets', kind: 'Secret', namespaced: true},
  {group: '', version: 'v1', name: 'pods', kind: 'Pod', namespaced: true},
  {group: '', version: 'v1', name: 'events', kind: 'Event', namespaced: true},
  {group: 'apps', version: 'v1', name: 'deployments', kind: 'Deployment', namespaced: true},
  {
    group: 'autoscaling',
    version: 'v2',
    name: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  {group: 'policy', version: 'v1', name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true},
  {group: 'metrics.k8s.io', version: 'v1beta1', name: 'pods', kind: 'PodMetrics', namespaced: true},
]

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED'
interface Watcher {
  kind: string
  namespace?: string
  selector: [string, string][]
  bookmarks: boolean
  res: ServerResponse
}

const matches = (o: KubeObject, selector: readonly [string, string][]) =>
  selector.every(([k, v]) => o.metadata.labels?.[k] === v)
const parseSelector = (text: string | null): [string, string][] =>
  (text ? text.split(',') : []).map((s) => s.split('=') as [string, string])

/** /api/v1/namespaces/{ns}/{plural}/{name}, /apis/{group}/{version}/…, /api/v1/namespaces/{name}. */
function route(path: string) {
  const parts = path.split('/').filter(Boolean)
  let group = ''
  let version: string | undefined
  let rest: string[]
  if (parts[0] === 'api') [version, rest] = [parts[1], parts.slice(2)]
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1]!, parts[2], parts.slice(3)]
  else return undefined
  if (!version || rest.length === 0) return undefined
  if (rest[0] === 'namespaces' && rest.length >= 3)
    return {group, version, namespace: rest[1], plural: rest[2]!, name: rest[3], subresource: rest[4]}
  return {group, version, namespace: undefined, plural: rest[0]!, name: rest[1], subresource: undefined}
}

const apiVersionOf = (r: Resource) => (r.group ? `${r.group}/${r.version}` : r.version)

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = []
  private readonly objects = new Map<string, KubeObject>()
  private revision = 1
  private server?: Server
  url = ''
  /** When set, every request is answered 503 (a dataplane that went away). */
  down = false
  private readonly logs = new Map<string, {time: string; line: string}[]>()
  private readonly followers = new Map<string, Set<{res: ServerResponse; stamped: boolean}>>()
  /** Every change since the last compact(), for watches that start from a resourceVersion. */
  private history: {revision: number; type: WatchType; object: KubeObject}[] = []
  /** A watch from this resourceVersion or older is told 410 Gone. */
  private compactedAt = 0
  private readonly watchers = new Set<Watcher>()
  /** Pods whose metrics metrics.k8s.io serves (a cluster with metrics-server), by namespace/name. */
  private readonly podMetrics = new Map<string, {cpu: string; memory: string}>()
  /** Whether metrics.k8s.io is served at all (a cluster without metrics-server answers 404). */
  metricsServer = false

  /** The usage metrics-server would report for a pod's container (CPU in cores or millicores, memory in bytes or Mi). */
  setPodMetrics(namespace: string, pod: string, usage: {cpu: string; memory: string}): void {
    this.metricsServer = true
    this.podMetrics.set(`${namespace}/${pod}`, usage)
  }

  /** Open watches (WATCH requests being streamed). */
  watchCount(kind?: string): number {
    return [...this.watchers].filter((w) => kind === undefined || w.kind === kind).length
  }

  /** A BOOKMARK event on every watch that asked for them: the current resourceVersion, no object. */
  bookmark(): void {
    for (const w of this.watchers)
      if (w.bookmarks)
        this.writeEvent(w, 'BOOKMARK', {
          apiVersion: 'v1',
          kind: w.kind,
          metadata: {name: '', resourceVersion: String(this.revision)},
        })
  }

  /** The resourceVersion of the latest change. */
  resourceVersion(): string {
    return String(this.revision)
  }

  /**
   * Ends every watch as an API server does at a watch's timeout: a bookmark first (to those that
   * asked; kube-apiserver sends one right before the timeout), then the end. The client resumes
   * from its resourceVersion.
   */
  closeWatches(): void {
    this.bookmark()
    for (const w of this.watchers) w.res.end()
    this.watchers.clear()
  }

  /**
   * As etcd's compaction: the history is gone and every watch is closed; a watch that resumes
   * from a resourceVersion it had is told 410 Gone, and must list again.
   */
  compact(): void {
    this.closeWatches()
    this.revision++
    this.compactedAt = this.revision - 1
    this.history = []
  }

  private writeEvent(w: Watcher, type: WatchType | 'BOOKMARK' | 'ERROR', object: unknown): void {
    w.res.write(`${JSON.stringify({type, object})}\n`)
  }

  private changed(type: WatchType, object: KubeObject): void {
    const revision = Number(object.metadata.resourceVersion)
    this.history.push({revision, type, object})
    for (const w of this.watchers)
      if (
        w.kind === object.kind &&
        (w.namespace === undefined || w.namespace === object.metadata.namespace) &&
        matches(object, w.selector)
      )
        this.writeEvent(w, type, object)
  }

  /** A line a pod's container writes (its previous run's with `previous`). */
  writeLog(namespace: string, pod: string, line: string, options: {time?: Date; previous?: boolean} = {}): void {
    const key = `${namespace}/${pod}${options.previous ? '#previous' : ''}`
    const entry = {time: (options.time ?? new Date()).toISOString().replace('Z', '000000Z'), line}
    this.logs.set(key, [...(this.logs.get(key) ?? []), entry])
    if (!options.previous)
      for (const f of this.followers.get(key) ?? []) f.res.write(`${f.stamped ? `${entry.time} ` : ''}${entry.line}\n`)
  }

  /** The pod's container restarts: its lines become the previous run's, its followers end. */
  restartContainer(namespace: string, pod: string): void {
    this.logs.set(`${namespace}/${pod}#previous`, this.logs.get(`${namespace}/${pod}`) ?? [])
    this.logs.delete(`${namespace}/${pod}`)
    this.endLog(namespace, pod)
  }

  /** Ends the followed streams of a pod's log (its container stopped). */
  endLog(namespace: string, pod: string): void {
    for (const f of this.followers.get(`${namespace}/${pod}`) ?? []) f.res.end()
    this.followers.delete(`${namespace}/${pod}`)
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.send(res, 500, this.status(500, 'InternalError', String(error)))
      })
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    if (!this.server) return
    for (const set of this.followers.values()) for (const f of set) f.res.end()
    for (const w of this.watchers) w.res.end()
    this.watchers.clear()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server!.close(() => resolve()))
  }

  /** A kubeconfig for this server (plain HTTP: client-node needs insecure-skip-tls-verify for it). */
  kubeconfig(context = 'fake'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}`,
      '  user:',
      '    token: fake-token',
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}`,
      '',
    ].join('\n')
  }

  private key(kind: string, namespace: string | undefined, name: string) {
    return `${kind}/${namespace ?? ''}/${name}`
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(this.key(kind, namespace, name))
  }

  list(kind: string, namespace?: string): KubeObject[] {
    return [...this.objects.values()].filter(
      (o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace),
    )
  }

  /** Stores an object as a controller would (a pod, a Deployment's status). */
  put(object: KubeObject): KubeObject {
    const existing = this.get(object.kind, object.metadata.namespace, object.metadata.name)
    const stored: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        uid: existing?.metadata.uid ?? randomUUID(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
        resourceVersion: String(++this.revision),
      },
    }
    this.objects.set(this.key(object.kind, object.metadata.namespace, object.metadata.name), stored)
    this.changed(existing ? 'MODIFIED' : 'ADDED', stored)
    return stored
  }

  /** Removes an object as a controller would (a pod that went away). */
  delete(kind: string, namespace: string | undefined, name: string): void {
    const existing = this.get(kind, namespace, name)
    if (!existing) return
    this.objects.delete(this.key(kind, namespace, name))
    this.changed('DELETED', {...existing, metadata: {...existing.metadata, resourceVersion: String(++this.revision)}})
  }

  private watch(url: URL, resource: Resource, namespace: string | undefined, res: ServerResponse) {
    const watcher: Watcher = {
      kind: resource.kind,
      ...(namespace === undefined ? {} : {namespace}),
      selector: parseSelector(url.searchParams.get('labelSelector')),
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      res,
    }
    res.writeHead(200, {'content-type': 'application/json'})
    res.flushHeaders()
    const from = url.searchParams.get('resourceVersion')
    if (from && from !== '0' && Number(from) <= this.compactedAt) {
      this.writeEvent(
        watcher,
        'ERROR',
        this.status(410, 'Expired', `too old resource version: ${from} (${this.revision})`),
      )
      return res.end()
    }
    const after = from && from !== '0' ? Number(from) : this.revision
    for (const change of this.history)
      if (
        change.revision > after &&
        change.object.kind === resource.kind &&
        (namespace === undefined || change.object.metadata.namespace === namespace) &&
        matches(change.object, watcher.selector)
      )
        this.writeEvent(watcher, change.type, change.object)
    this.watchers.add(watcher)
    res.on('close', () => this.watchers.delete(watcher))
  }

  private metrics(
    resource: Resource,
    namespace: string | undefined,
    name: string | undefined,
    url: URL,
    res: ServerResponse,
  ) {
    if (!this.metricsServer)
      return this.send(res, 404, this.status(404, 'NotFound', 'the server could not find the requested resource'))
    const selector = parseSelector(url.searchParams.get('labelSelector'))
    const pods = this.list('Pod', namespace).filter(
      (p) => (name === undefined || p.metadata.name === name) && matches(p, selector),
    )
    const items = pods.flatMap((p) => {
      const usage = this.podMetrics.get(`${p.metadata.namespace}/${p.metadata.name}`)
      return usage
        ? [
            {
              apiVersion: apiVersionOf(resource),
              kind: 'PodMetrics',
              metadata: {name: p.metadata.name, namespace: p.metadata.namespace},
              timestamp: new Date().toISOString(),
              window: '15s',
              containers: [{name: 'worker', usage}],
            },
          ]
        : []
    })
    return name === undefined
      ? this.send(res, 200, {apiVersion: apiVersionOf(resource), kind: 'PodMetricsList', metadata: {}, items})
      : items[0]
        ? this.send(res, 200, items[0])
        : this.send(res, 404, this.status(404, 'NotFound', `podmetrics "${name}" not found`))
  }

  /** Requests that write (PATCH, POST, PUT, DELETE). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET')
  }

  /** Requests that read once (GET, LIST), not the watches. */
  reads(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.query.watch !== 'true')
  }

  private status(code: number, reason: string, message: string) {
    return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code}
  }

  private send(res: ServerResponse, code: number, body: unknown) {
    const text = JSON.stringify(body)
    res.writeHead(code, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
    res.end(text)
  }

  private podLog(url: URL, namespace: string, pod: string, res: ServerResponse) {
    if (!this.get('Pod', namespace, pod))
      return this.send(res, 404, this.status(404, 'NotFound', `pods "${pod}" not found`))
    const previous = url.searchParams.get('previous') === 'true'
    const key = `${namespace}/${pod}${previous ? '#previous' : ''}`
    if (previous && !this.logs.has(key))
      return this.send(
        res,
        400,
        this.status(400, 'BadRequest', `previous terminated container "worker" in pod "${pod}" not found`),
      )
    const since = url.searchParams.get('sinceTime')
    const tail = url.searchParams.get('tailLines')
    let lines = (this.logs.get(key) ?? []).filter((l) => !since || l.time >= since)
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)))
    const stamped = url.searchParams.get('timestamps') === 'true'
    res.writeHead(200, {'content-type': 'text/plain'})
    res.flushHeaders() // as the API server does: a followed log may stay quiet
    for (const l of lines) res.write(`${stamped ? `${l.time} ` : ''}${l.line}\n`)
    if (url.searchParams.get('follow') !== 'true' || previous) return res.end()
    const set = this.followers.get(key) ?? new Set<{res: ServerResponse; stamped: boolean}>()
    const follower = {res, stamped}
    set.add(follower)
    this.followers.set(key, set)
    res.on('close', () => set.delete(follower))
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const contentType = req.headers['content-type']
    let body: unknown
    if (text) body = contentType?.includes('yaml') ? parseYaml(text) : JSON.parse(text)
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(contentType ? {contentType} : {}),
      ...(body === undefined ? {} : {body}),
    })
    if (this.down) return this.send(res, 503, this.status(503, 'ServiceUnavailable', 'the fake is down'))
    if (url.pathname === '/version') return this.send(res, 200, {major: '1', minor: '33', gitVersion: 'v1.33.0-fake'})

    // Discovery: /api/v1, /apis/{group}/{version}
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(url.pathname)
    if (discovery) {
      const [group, version] = discovery[1] ? ['', discovery[1]] : [discovery[2]!, discovery[3]!]
      const resources = RESOURCES.filter(
        (r) => r.group === group && r.version === version && (r.kind !== 'PodMetrics' || this.metricsServer),
      )
      if (resources.length === 0) return this.send(res, 404, this.status(404, 'NotFound', 'no such group'))
      return this.send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: resources.map((r) => ({
          name: r.name,
          singularName: r.kind.toLowerCase(),
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        })),
      })
    }

    const target = route(url.pathname)
    if (!target) return this.send(res, 404, this.status(404, 'NotFound', `no route ${url.pathname}`))
    const {group, version, namespace, plural, name, subresource} = target
    if (subresource === 'log' && plural === 'pods' && namespace && name) return this.podLog(url, namespace, name, res)
    const resource = RESOURCES.find((r) => r.group === group && r.version === version && r.name === plural)
    if (!resource) return this.send(res, 404, this.status(404, 'NotFound', `no resource ${plural}`))
    if (resource.kind === 'PodMetrics') return this.metrics(resource, namespace, name, url, res)

    if (req.method === 'GET' && name === undefined && url.searchParams.get('watch') === 'true')
      return this.watch(url, resource, namespace, res)
    if (req.method === 'GET' && name === undefined) {
      const wanted = parseSelector(url.searchParams.get('labelSelector'))
      const items = this.list(resource.kind, namespace).filter((o) => matches(o, wanted))
      return this.send(res, 200, {
        apiVersion: apiVersionOf(resource),
        kind: `${resource.kind}List`,
        metadata: {resourceVersion: String(this.revision)},
        items,
      })
    }
    if (name === undefined) return this.send(res, 405, this.status(405, 'MethodNotAllowed', 'collection'))
    const existing = this.get(resource.kind, namespace, name)
    if (req.method === 'GET') {
      return existing
        ? this.send(res, 200, existing)
        : this.send(res, 404, this.status(404, 'NotFound', `${plural} "${name}" not found`))
    }
    if (req.method === 'DELETE') {
      if (!existing) return this.send(res, 404, this.status(404, 'NotFound', `${plural} "${name}" not found`))
      this.delete(resource.kind, namespace, name)
      return this.send(res, 200, existing)
    }
    if (req.method === 'PATCH') {
      if (!contentType?.startsWith('application/apply-patch'))
        return this.send(res, 415, this.status(415, 'UnsupportedMediaType', `only server-side apply: ${contentType}`))
      if (url.searchParams.get('fieldManager') === null)
        return this.send(res, 422, this.status(422, 'Invalid', 'fieldManager is required for apply patch'))
      const applied = body as KubeObject
      const spec = applied.spec as Record<string, unknown> | undefined
      const kept: Partial<KubeObject> = {}
      if (existing?.status) kept.status = existing.status
      const merged: KubeObject = {
        ...applied,
        ...(spec && existing?.spec && !('replicas' in spec) && 'replicas' in existing.spec
          ? {spec: {...spec, replicas: existing.spec.replicas}}
          : {}),
        ...kept,
        metadata: {...applied.metadata, ...(namespace ? {namespace} : {})},
      }
      return this.send(res, existing ? 200 : 201, this.put(merged))
    }
    return this.send(res, 405, this.status(405, 'MethodNotAllowed', req.method ?? ''))
  }
}
