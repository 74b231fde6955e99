// A worker as Kubernetes objects (DESIGN §5, issue 10): a Deployment, an HPA when it autoscales,
// a ConfigMap for its files, a Secret per consumed secret, a PodDisruptionBudget when it runs more
// than one replica. Pure: the same input gives the same objects, byte for byte; `drover render`
// prints them offline and the Kubernetes runtime applies them. The literals are typed with
// kubernetes-models' interfaces, so a misspelt field fails to compile; tests validate the output
// against the official OpenAPI schemas.
import {createHash} from 'node:crypto'
import type {IDeployment} from 'kubernetes-models/apps/v1/Deployment'
import type {IHorizontalPodAutoscaler} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type {IPodDisruptionBudget} from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type {IConfigMap} from 'kubernetes-models/v1/ConfigMap'
import type {IContainer} from 'kubernetes-models/v1/Container'
import type {IEnvVar} from 'kubernetes-models/v1/EnvVar'
import type {IPodSpec} from 'kubernetes-models/v1/PodSpec'
import type {ISecret} from 'kubernetes-models/v1/Secret'
import type {IVolume} from 'kubernetes-models/v1/Volume'
import type {IVolumeMount} from 'kubernetes-models/v1/VolumeMount'
import {stringify as toYaml} from 'yaml'
import {canonicalJson} from '../../lib/canonical-json.js'
import {isObject, type Json} from '../../lib/json.js'
import {expandArguments} from '../../lib/templates.js'
import {effectiveResources} from '../compute.js'
import {formatRef} from '../identifiers.js'
import {secretEnvName} from '../names.js'
import {parseCpu, parseMemory} from '../quantity.js'
import type {ComputeSpec} from '../model/compute-v1.js'
import type {WorkerSpec} from '../model/worker-v1beta.js'
import {autoscalingSpec} from '../rules.js'

export type KubernetesObject = IDeployment | IHorizontalPodAutoscaler | IPodDisruptionBudget | IConfigMap | ISecret

/** Where a replica's folders are inside its container (the local runtime's ConfigDir, …). */
const CONTAINER_PATHS = {
  config: '/etc/drover/config',
  secret: '/etc/drover/secret',
  temp: '/var/drover/temp',
  work: '/var/drover/work',
} as const

export const LABELS = {
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  workspace: 'drover.dev/workspace',
  worker: 'drover.dev/worker',
  revision: 'drover.dev/revision',
} as const

const MANAGER = 'drover'

interface SecretValues {
  name: string
  workspace: string
  /** The values, or masked ones: render never prints what it is not given. */
  data: Record<string, string>
}

export interface RenderInput {
  name: string
  workspace: string
  /** The manifest's version (v1beta): part of DROVER_RESOURCE_ID. */
  version: string
  worker: WorkerSpec
  /** The stack's section (`stack:` of its manifest). */
  stack: Json
  compute: ComputeSpec
  secrets: readonly SecretValues[]
  /** The local runtime's settings that Kubernetes mirrors. */
  settings?: {minReadySeconds?: number; terminationGracePeriodSeconds?: number}
}

export class RenderError extends Error {
  /** The manifest field at fault, for a located message. */
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message)
  }
}

/** The namespace a workspace maps to on this compute. */
const namespaceOf = (compute: ComputeSpec, workspace: string) => `${compute.namespacePrefix ?? ''}${workspace}`

/**
 * The container image of a worker: the stack's image (registry/repository/image:tag), or for a
 * stack that takes its image from the worker (the built-in command stack), stackSpec.image.
 * Undefined when neither gives one: such a worker cannot run on Kubernetes.
 */
export function imageOf(stack: Json, stackSpec: Json | undefined): string | undefined {
  if (typeof stackSpec?.image === 'string' && stackSpec.image !== '') return stackSpec.image
  const image = isObject(stack.image) ? stack.image : undefined
  if (!image || typeof image.image !== 'string') return undefined
  const path = [image.registry, image.repository, image.image].filter((p) => typeof p === 'string' && p !== '')
  return `${path.join('/')}${typeof image.tag === 'string' && image.tag !== '' ? `:${image.tag}` : ''}`
}

/** The resources a Kubernetes container gets: the worker's, else the compute's defaults (LimitRange). */
function containerResources(worker: WorkerSpec, compute: ComputeSpec): IContainer['resources'] {
  const {requests, limits} = effectiveResources(worker.resources, compute.defaults)
  for (const r of ['cpu', 'memory'] as const) {
    const parse = r === 'cpu' ? parseCpu : parseMemory
    const [request, limit] = [requests[r], limits[r]]
    // The API server would refuse such a pod; say which field to change instead.
    if (worker.resources?.limits?.[r] === undefined && request !== undefined && limit !== undefined)
      if (parse(request)! > parse(limit)!)
        throw new RenderError(
          `the ${r} request ${request} is above the compute's default ${r} limit ${limit}: give the worker a ${r} limit`,
          ['worker', 'resources', 'requests', r],
        )
  }
  const text = (amounts: typeof requests) => Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, String(v)]))
  return {
    ...(Object.keys(requests).length > 0 ? {requests: text(requests)} : {}),
    ...(Object.keys(limits).length > 0 ? {limits: text(limits)} : {}),
  }
}

const text = (v: unknown) => (typeof v === 'string' ? v : String(v))

/** Kubernetes expands $(VAR) in commands, arguments and env values: every `$` the user wrote stays one. */
const literal = (s: string) => s.replace(/\$/g, '$$$$')

/** A folder of the manifest (volume directory, workingDir) inside the container. */
const inContainer = (dir: string) =>
  dir.startsWith('/') ? dir : `${CONTAINER_PATHS.work}/${dir.replace(/^\.\/?/, '')}`.replace(/\/$/, '')

const hash = (value: unknown, length = 10) =>
  createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length)

/** Every object of a worker, in apply order (config and secrets before the pods that mount them). */
export function renderWorker(input: RenderInput): KubernetesObject[] {
  const {name, workspace, worker, stack, compute} = input
  const namespace = namespaceOf(compute, workspace)
  const stackSpec = (worker.stackSpec ?? {}) as Json
  const image = imageOf(stack, stackSpec)
  if (image === undefined)
    throw new RenderError(
      'the stack has no container image: give its manifest stack.image, or (stack command) stackSpec.image',
      isObject(stack.image) || stack.name !== 'command' ? ['worker', 'stack'] : ['worker', 'stackSpec'],
    )
  const selector = {[LABELS.workspace]: workspace, [LABELS.worker]: name}
  const labels = {[LABELS.name]: name, [LABELS.managedBy]: MANAGER, ...selector}
  const meta = (objectName: string, extra: Record<string, string> = {}) => ({
    name: objectName,
    namespace,
    labels: {...labels, ...extra},
  })

  // ---- files: the ConfigMap (configs, the stackSpec as jobconfig.yaml, an inline node program)
  const configData: Record<string, string> = {}
  for (const [k, v] of Object.entries(worker.configs ?? {})) configData[k] = text(v)
  configData['jobconfig.yaml'] = toYaml(stackSpec, {lineWidth: 0})
  const context: Record<string, unknown> = {
    StackSpec: stackSpec,
    StackSpecFile: `${CONTAINER_PATHS.config}/jobconfig.yaml`,
    NodeBinary: 'node',
    Name: name,
    Workspace: workspace,
    ConfigDir: CONTAINER_PATHS.config,
    SecretDir: CONTAINER_PATHS.secret,
    TempDir: CONTAINER_PATHS.temp,
    ReplicaDir: CONTAINER_PATHS.work,
    // A pod of a Deployment has no index: its name stands for it (DROVER_REPLICA, below).
    Replica: '\u0000REPLICA\u0000',
  }
  if (typeof stackSpec.source === 'string') {
    configData['main.cjs'] = stackSpec.source
    context.NodeProgram = `${CONTAINER_PATHS.config}/main.cjs`
  } else if (typeof stackSpec.script === 'string') context.NodeProgram = stackSpec.script

  // ---- secrets: one Secret per consumed secret, as env (secretKeyRef) or files (projected)
  const env = new Map<string, IEnvVar>()
  const setEnv = (key: string, value: string) => env.set(key, {name: key, value: literal(value)})
  for (const [k, v] of Object.entries(isObject(stack.environmentVars) ? stack.environmentVars : {})) setEnv(k, text(v))
  for (const [k, v] of Object.entries(worker.envs ?? {})) setEnv(k, text(v))
  if (worker.runAsUser !== undefined) setEnv('DROVER_RUN_AS_USER', worker.runAsUser)
  const secretObjects: ISecret[] = []
  const secretName = (s: {name: string; workspace: string}) =>
    s.workspace === workspace ? `${name}.${s.name}` : `${name}.${s.workspace}.${s.name}`
  const byName = (secretRef: string, ws: string, path: (string | number)[]) => {
    const found = input.secrets.find((s) => s.name === secretRef && s.workspace === ws)
    if (!found) throw new RenderError(`secret ${ws}/${secretRef} does not exist`, path)
    return found
  }
  const used = new Map<string, {secret: SecretValues; keys: Set<string>}>()
  const use = (secret: SecretValues, keys: readonly string[]) => {
    const objectName = secretName(secret)
    const entry = used.get(objectName) ?? {secret, keys: new Set<string>()}
    for (const k of keys) entry.keys.add(k)
    used.set(objectName, entry)
    return objectName
  }
  const projected: NonNullable<NonNullable<IVolume['projected']>['sources']> = []
  for (const [i, secretRef] of (worker.secrets ?? []).entries()) {
    const secret = byName(secretRef, workspace, ['worker', 'secrets', i])
    const objectName = use(secret, Object.keys(secret.data))
    for (const k of Object.keys(secret.data))
      env.set(secretEnvName(k), {name: secretEnvName(k), valueFrom: {secretKeyRef: {name: objectName, key: k}}})
  }
  for (const [i, ref] of (worker.dataosSecrets ?? []).entries()) {
    const secret = byName(ref.name, ref.workspace ?? workspace, ['worker', 'dataosSecrets', i, 'name'])
    const keys = ref.key !== undefined ? [ref.key] : (ref.keys ?? Object.keys(secret.data))
    for (const k of keys)
      if (!(k in secret.data))
        throw new RenderError(`secret ${secret.workspace}/${secret.name} has no key ${JSON.stringify(k)}`, [
          'worker',
          'dataosSecrets',
          i,
        ])
    const how = (ref.consumptionType ?? 'envVars').toLowerCase()
    if (how === 'propfile') {
      // One properties file of the chosen keys: a key of its own in the Secret.
      const file = `${secret.name}.properties`
      const objectName = use(
        {
          ...secret,
          data: {
            [file]: keys.map((k) => `${k}=${secret.data[k]!.replace(/\n/g, '\\n')}\n`).join(''),
          },
        },
        [file],
      )
      projected.push({secret: {name: objectName, items: [{key: file, path: file}]}})
      continue
    }
    const objectName = use(secret, keys)
    if (how === 'envvars')
      for (const k of keys)
        env.set(secretEnvName(k), {name: secretEnvName(k), valueFrom: {secretKeyRef: {name: objectName, key: k}}})
    else projected.push({secret: {name: objectName, items: keys.map((k) => ({key: k, path: `${secret.name}/${k}`}))}})
  }
  // The key a worker acts with is a credential: it goes through a Secret of the worker's own.
  if (worker.runAsApiKey !== undefined) {
    const objectName = use({name: 'run-as', workspace, data: {apiKey: worker.runAsApiKey}}, ['apiKey'])
    env.set('DROVER_RUN_AS_APIKEY', {
      name: 'DROVER_RUN_AS_APIKEY',
      valueFrom: {secretKeyRef: {name: objectName, key: 'apiKey'}},
    })
  }
  for (const [objectName, {secret, keys}] of used) {
    const data = Object.fromEntries([...keys].sort().map((k) => [k, secret.data[k]!]))
    secretObjects.push({apiVersion: 'v1', kind: 'Secret', metadata: meta(objectName), type: 'Opaque', stringData: data})
  }

  // ---- the container
  const replicaToken = '\u0000REPLICA\u0000'
  const expand = (templates: unknown) =>
    expandArguments(Array.isArray(templates) ? templates.map(String) : [], context).map((a) =>
      literal(a).split(replicaToken).join('$(DROVER_REPLICA)'),
    )
  const command = expand(stack.command)
  const args = expand(stack.arguments)
  const revisionLess = {
    image,
    command,
    args,
    env: [...env.values()],
    configData,
    secrets: secretObjects.map((s) => s.stringData),
    worker: {...worker, replicas: undefined, autoscaling: undefined, autoScaling: undefined},
    compute: compute.nodePool ?? {},
  }
  // What changes the pods: a new revision rolls them (secrets' values included, as locally).
  const revision = hash(revisionLess)
  const identity: [string, string][] = [
    ['DROVER_WORKER', name],
    ['DROVER_WORKSPACE', workspace],
    ['DROVER_RESOURCE_ID', formatRef({type: 'worker', version: input.version, name, workspace})],
    ['DROVER_REVISION', revision],
    ['DROVER_CONFIG_DIR', CONTAINER_PATHS.config],
    ['DROVER_SECRET_DIR', CONTAINER_PATHS.secret],
    ['DROVER_TEMP_DIR', CONTAINER_PATHS.temp],
    ['LOG_LEVEL', worker.logLevel ?? 'INFO'],
  ]
  for (const [k, v] of identity) setEnv(k, v)
  env.set('DROVER_REPLICA', {name: 'DROVER_REPLICA', valueFrom: {fieldRef: {fieldPath: 'metadata.name'}}})
  // DROVER_REPLICA first: $(DROVER_REPLICA) in later values and arguments refers to it.
  const envList = [env.get('DROVER_REPLICA')!, ...[...env.values()].filter((e) => e.name !== 'DROVER_REPLICA')]

  const volumes: IVolume[] = [
    {name: 'config', configMap: {name: `${name}.config`}},
    {name: 'work', emptyDir: {}},
  ]
  const mounts: IVolumeMount[] = [
    {name: 'config', mountPath: CONTAINER_PATHS.config, readOnly: true},
    {name: 'work', mountPath: CONTAINER_PATHS.work},
  ]
  if (projected.length > 0) {
    volumes.push({name: 'secrets', projected: {sources: projected, defaultMode: 0o400}})
    mounts.push({name: 'secrets', mountPath: CONTAINER_PATHS.secret, readOnly: true})
  }
  if (worker.tempVolume !== undefined) {
    volumes.push({name: 'temp', persistentVolumeClaim: {claimName: worker.tempVolume}})
    mounts.push({name: 'temp', mountPath: CONTAINER_PATHS.temp, subPathExpr: '$(DROVER_REPLICA)'})
  } else {
    volumes.push({name: 'temp', emptyDir: {}})
    mounts.push({name: 'temp', mountPath: CONTAINER_PATHS.temp})
  }
  const claims = [...(worker.dataosVolumes ?? []), ...(worker.persistentVolume ? [worker.persistentVolume] : [])]
  for (const [i, v] of claims.entries()) {
    const volumeName = `volume-${i}`
    volumes.push({
      name: volumeName,
      persistentVolumeClaim: {claimName: v.name, ...(v.readOnly ? {readOnly: true} : {})},
    })
    mounts.push({
      name: volumeName,
      mountPath: inContainer(v.directory),
      ...(v.readOnly ? {readOnly: true} : {}),
      ...(v.subPath !== undefined ? {subPath: v.subPath} : {}),
    })
  }
  const resources = containerResources(worker, compute)
  const container: IContainer = {
    name: 'worker',
    image,
    ...(command.length > 0 ? {command} : {}),
    ...(args.length > 0 ? {args} : {}),
    workingDir: typeof stackSpec.workingDir === 'string' ? inContainer(stackSpec.workingDir) : CONTAINER_PATHS.work,
    env: envList,
    ...(resources && Object.keys(resources).length > 0 ? {resources} : {}),
    volumeMounts: mounts,
  }

  const nodePool = compute.nodePool ?? {}
  const ha = worker.highAvailabilityConfig
  const topologyKey = {
    hostname: 'kubernetes.io/hostname',
    zone: 'topology.kubernetes.io/zone',
    region: 'topology.kubernetes.io/region',
  }
  const pullSecret =
    isObject(stack.image) && isObject(stack.image.auth) && typeof stack.image.auth.imagePullSecret === 'string'
      ? stack.image.auth.imagePullSecret
      : undefined
  const podSpec: IPodSpec = {
    containers: [container],
    volumes,
    terminationGracePeriodSeconds: input.settings?.terminationGracePeriodSeconds ?? 30,
    ...(pullSecret ? {imagePullSecrets: [{name: pullSecret}]} : {}),
    ...(nodePool.nodeSelector && Object.keys(nodePool.nodeSelector).length > 0
      ? {nodeSelector: nodePool.nodeSelector}
      : {}),
    ...(nodePool.tolerations && nodePool.tolerations.length > 0
      ? {
          tolerations: nodePool.tolerations.map((t) => ({
            ...(t.key !== undefined ? {key: t.key} : {}),
            operator: t.operator ?? 'Equal',
            ...(t.value !== undefined ? {value: t.value} : {}),
            ...(t.effect !== undefined ? {effect: t.effect} : {}),
            ...(t.tolerationSeconds !== undefined ? {tolerationSeconds: t.tolerationSeconds} : {}),
          })),
        }
      : {}),
    ...(ha?.level !== undefined
      ? {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: topologyKey[ha.level],
              whenUnsatisfiable: ha.mode === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
              labelSelector: {matchLabels: selector},
              // Without it a rolling update counts old and new pods together and skews the spread.
              matchLabelKeys: ['pod-template-hash'],
            },
          ],
        }
      : {}),
  }

  const scaling = autoscalingSpec(worker)
  const replicas = worker.replicas ?? 1
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      // With an autoscaler the HPA owns the count: a re-apply never resets it.
      ...(scaling ? {} : {replicas}),
      selector: {matchLabels: selector},
      strategy: {type: 'RollingUpdate', rollingUpdate: {maxSurge: 1, maxUnavailable: 0}},
      minReadySeconds: input.settings?.minReadySeconds ?? 1,
      revisionHistoryLimit: 10,
      template: {
        metadata: {labels: {...labels, [LABELS.revision]: revision}, annotations: {[LABELS.revision]: revision}},
        spec: podSpec,
      },
    },
  }

  const objects: KubernetesObject[] = [
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${name}.config`), data: configData},
    ...secretObjects,
    deployment,
  ]
  if (scaling) {
    const metrics: NonNullable<NonNullable<IHorizontalPodAutoscaler['spec']>['metrics']> = []
    const target = (resource: 'cpu' | 'memory', utilization: number) => ({
      type: 'Resource' as const,
      resource: {name: resource, target: {type: 'Utilization' as const, averageUtilization: utilization}},
    })
    if (scaling.targetCPUUtilizationPercentage !== undefined)
      metrics.push(target('cpu', scaling.targetCPUUtilizationPercentage))
    if (scaling.targetMemoryUtilizationPercentage !== undefined)
      metrics.push(target('memory', scaling.targetMemoryUtilizationPercentage))
    if (metrics.length === 0) metrics.push(target('cpu', 80))
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(name),
      spec: {
        scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name},
        minReplicas: scaling.minReplicas ?? 1,
        maxReplicas: scaling.maxReplicas,
        metrics,
        // The local autoscaler's policy: 5 minutes' scale-down window, scale-up by at most
        // 4 pods or 100 % per 15 s.
        behavior: {
          scaleDown: {stabilizationWindowSeconds: 300},
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              {type: 'Pods', value: 4, periodSeconds: 15},
              {type: 'Percent', value: 100, periodSeconds: 15},
            ],
          },
        },
      },
    })
  }
  const least = scaling ? (scaling.minReplicas ?? 1) : replicas
  if (least > 1)
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(name),
      spec: {maxUnavailable: 1, selector: {matchLabels: selector}},
    })
  // Every object says which revision of the worker it belongs to (and which worker: the selector).
  for (const o of objects) o.metadata!.labels = {...o.metadata!.labels, [LABELS.revision]: revision}
  return objects
}
