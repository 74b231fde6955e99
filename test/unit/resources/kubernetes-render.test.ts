// The Kubernetes render, checked offline: every object against the official OpenAPI schemas
// (kubernetes-models' validators, pinned with the package), and drover's own checks of what those
// schemas miss (DNS names, label values, a selector that matches its template, references that
// resolve), over the examples and over fuzzed workers from a seeded generator.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Deployment} from 'kubernetes-models/apps/v1/Deployment'
import {HorizontalPodAutoscaler} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import {PodDisruptionBudget} from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap'
import {Secret} from 'kubernetes-models/v1/Secret'
import {describe, expect, it} from 'vitest'
import {parseAllDocuments} from 'yaml'
import type {Json} from '../../../src/lib/json.js'
import {BUILTIN_STACKS} from '../../../src/resources/builtins.js'
import {
  type KubernetesObject,
  LABELS,
  RenderError,
  type RenderInput,
  imageOf,
  renderWorker,
} from '../../../src/resources/kubernetes/render.js'
import type {ComputeSpec} from '../../../src/resources/model/compute-v1.js'
import {workerSpec} from '../../../src/resources/rules.js'
import {validateManifest} from '../../../src/resources/validate.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/
const DATA_KEY = /^[-._a-zA-Z0-9]+$/
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/

const MODELS: Record<string, new (data: never) => {validate(): void}> = {
  Deployment,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  ConfigMap,
  Secret,
}

/** Every problem of a set of rendered objects; empty when they would be accepted and work. */
function problemsOf(objects: KubernetesObject[]): string[] {
  const problems: string[] = []
  const where = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`
  for (const o of objects) {
    try {
      new MODELS[o.kind]!(o as never).validate()
    } catch (error) {
      problems.push(`${where(o)}: schema: ${(error as Error).message}`)
    }
    const name = o.metadata?.name ?? ''
    if (!DNS_SUBDOMAIN.test(name) || name.length > 253) problems.push(`${where(o)}: name is not a DNS subdomain`)
    const ns = o.metadata?.namespace ?? ''
    if (!DNS_LABEL.test(ns) || ns.length > 63) problems.push(`${where(o)}: namespace ${ns} is not a DNS label`)
    for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
      const [prefix, key] = k.includes('/') ? k.split('/') : [undefined, k]
      if (prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)) problems.push(`${where(o)}: label prefix ${prefix}`)
      if (!LABEL_NAME.test(key!) || key!.length > 63) problems.push(`${where(o)}: label key ${k}`)
      if (!LABEL_VALUE.test(v) || v.length > 63) problems.push(`${where(o)}: label ${k} value ${v}`)
    }
    if (o.kind === 'ConfigMap' || o.kind === 'Secret') {
      const data = o.kind === 'ConfigMap' ? o.data : o.stringData
      for (const k of Object.keys(data ?? {})) if (!DATA_KEY.test(k)) problems.push(`${where(o)}: key ${k}`)
      if (JSON.stringify(data).length > 1024 * 1024) problems.push(`${where(o)}: over 1 MiB`)
    }
  }
  const deployment = objects.find((o) => o.kind === 'Deployment') as Deployment | undefined
  if (!deployment) return [...problems, 'no Deployment']
  const spec = deployment.spec!
  const template = spec.template
  const selector = spec.selector.matchLabels ?? {}
  for (const [k, v] of Object.entries(selector))
    if (template.metadata?.labels?.[k] !== v) problems.push(`selector ${k}=${v} does not match the template`)
  if (Object.keys(selector).length === 0) problems.push('empty selector')
  const pod = template.spec!
  const volumes = new Set((pod.volumes ?? []).map((v) => v.name))
  if (volumes.size !== (pod.volumes ?? []).length) problems.push('duplicate volume names')
  const rendered = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name)
  for (const v of pod.volumes ?? []) {
    if (v.configMap && !rendered('ConfigMap', v.configMap.name!)) problems.push(`volume ${v.name}: no ConfigMap`)
    for (const s of v.projected?.sources ?? []) {
      const secret = s.secret && (rendered('Secret', s.secret.name!) as Secret | undefined)
      if (!secret) problems.push(`volume ${v.name}: no Secret ${s.secret?.name}`)
      for (const item of s.secret?.items ?? [])
        if (!(item.key in (secret?.stringData ?? {}))) problems.push(`volume ${v.name}: no key ${item.key}`)
    }
  }
  for (const c of pod.containers) {
    if (!c.image) problems.push(`container ${c.name}: no image`)
    const names = (c.env ?? []).map((e) => e.name)
    if (new Set(names).size !== names.length) problems.push(`container ${c.name}: duplicate env names`)
    for (const n of names) if (!ENV_NAME.test(n)) problems.push(`env ${n}: not a C identifier`)
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef
      if (!ref) continue
      const secret = rendered('Secret', ref.name!) as Secret | undefined
      if (!(ref.key in (secret?.stringData ?? {}))) problems.push(`env ${e.name}: no ${ref.name}/${ref.key}`)
    }
    const paths = (c.volumeMounts ?? []).map((m) => m.mountPath)
    if (new Set(paths).size !== paths.length) problems.push(`container ${c.name}: two mounts at one path`)
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) problems.push(`mount ${m.name}: no volume`)
    for (const a of [...(c.command ?? []), ...(c.args ?? [])])
      if (/(^|[^$])\$\((?!DROVER_REPLICA\))/.test(a.replaceAll('$$', ''))) problems.push(`argument ${a}: unescaped $(`)
  }
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as HorizontalPodAutoscaler | undefined
  if (hpa) {
    if (hpa.spec?.scaleTargetRef.name !== deployment.metadata?.name) problems.push('HPA targets another Deployment')
    if (spec.replicas !== undefined) problems.push('replicas set although an HPA owns the count')
    if ((hpa.spec?.minReplicas ?? 1) > hpa.spec!.maxReplicas) problems.push('HPA min above max')
  }
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget') as PodDisruptionBudget | undefined
  if (pdb && JSON.stringify(pdb.spec?.selector?.matchLabels) !== JSON.stringify(selector))
    problems.push('PDB selects other pods')
  return problems
}

const stackOf = (name: string) => BUILTIN_STACKS.find((s) => s.name === name)!.stack as Json
const KUBE: ComputeSpec = {
  dataplane: 'hub',
  purpose: 'runnable',
  nodePool: {
    nodeSelector: {'dataos.io/purpose': 'runnable'},
    tolerations: [{key: 'dedicated', operator: 'Equal', value: 'runnable', effect: 'NoSchedule'}],
  },
  defaults: {requests: {cpu: '100m', memory: '256Mi'}, limits: {memory: '1Gi'}},
  namespacePrefix: 'drover-',
}

describe('renderWorker', () => {
  const docs = (file: string) => parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.toJS() as Json)

  it('renders every example worker into objects that pass the schemas and the checks', () => {
    const secret = docs('examples/secret.yaml')[0]!
    const secrets = [
      {name: 'db-credentials', workspace: 'public', data: (secret.secret as Json).data as Record<string, string>},
    ]
    for (const file of [
      'examples/worker-minimal.yaml',
      'examples/worker-full.yaml',
      'examples/worker-autoscaling.yaml',
    ]) {
      const manifest = docs(file)[0]!
      const objects = renderWorker({
        name: String(manifest.name),
        workspace: 'public',
        version: 'v1beta',
        worker: workerSpec(manifest),
        stack: stackOf('node'),
        compute: KUBE,
        secrets,
      })
      expect(problemsOf(objects), file).toEqual([])
    }
  })

  it('is deterministic, and a change of a secret value rolls the pods', () => {
    const input: RenderInput = {
      name: 'w',
      workspace: 'public',
      version: 'v1beta',
      worker: {stack: 'node', compute: 'kube', secrets: ['s'], stackSpec: {source: 'x'}},
      stack: stackOf('node'),
      compute: KUBE,
      secrets: [{name: 's', workspace: 'public', data: {token: 'one'}}],
    }
    const revision = (i: RenderInput) =>
      (renderWorker(i).find((o) => o.kind === 'Deployment') as Deployment).metadata!.labels![LABELS.revision]
    expect(JSON.stringify(renderWorker(input))).toBe(JSON.stringify(renderWorker(input)))
    expect(revision({...input, secrets: [{name: 's', workspace: 'public', data: {token: 'two'}}]})).not.toBe(
      revision(input),
    )
    // The replica count is not part of the pods: scaling never rolls them.
    expect(revision({...input, worker: {...input.worker, replicas: 5}})).toBe(revision(input))
  })

  it('leaves replicas to the HPA, applies the compute defaults as a LimitRange would', () => {
    const objects = renderWorker({
      name: 'w',
      workspace: 'team-a',
      version: 'v1beta',
      worker: {
        stack: 'command',
        compute: 'kube',
        replicas: 3,
        autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 6, targetMemoryUtilizationPercentage: 75},
        resources: {limits: {cpu: '2'}},
        stackSpec: {command: 'sleep', args: ['infinity', '$(HOME)', '$$'], image: 'busybox:1.37'},
      },
      stack: stackOf('command'),
      compute: KUBE,
      secrets: [],
    })
    expect(problemsOf(objects)).toEqual([])
    const deployment = objects.find((o) => o.kind === 'Deployment') as Deployment
    expect(deployment.metadata?.namespace).toBe('drover-team-a')
    expect(deployment.spec?.replicas).toBeUndefined()
    const container = deployment.spec!.template.spec!.containers[0]!
    // A limit without a request requests the limit; memory from the compute's defaults.
    expect(container.resources).toEqual({requests: {cpu: '2', memory: '256Mi'}, limits: {cpu: '2', memory: '1Gi'}})
    expect(container.command).toEqual(['sleep'])
    // Kubernetes would expand $(HOME) and fold $$: the arguments stay what the user wrote.
    expect(container.args).toEqual(['infinity', '$$(HOME)', '$$$$'])
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as HorizontalPodAutoscaler
    expect(hpa.spec).toMatchObject({minReplicas: 2, maxReplicas: 6})
    expect(hpa.spec?.metrics?.[0]?.resource).toEqual({
      name: 'memory',
      target: {type: 'Utilization', averageUtilization: 75},
    })
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(true)
  })

  it("refuses a request above the compute's default limit, as the API server would refuse the pod", () => {
    const input: RenderInput = {
      name: 'w',
      workspace: 'public',
      version: 'v1beta',
      worker: {stack: 'node', compute: 'kube', resources: {requests: {memory: '2Gi'}}, stackSpec: {source: 'x'}},
      stack: stackOf('node'),
      compute: KUBE,
      secrets: [],
    }
    expect(() => renderWorker(input)).toThrow(
      "the memory request 2Gi is above the compute's default memory limit 1Gi: give the worker a memory limit",
    )
  })

  it('refuses a stack without an image, naming the field to fix', () => {
    const input: RenderInput = {
      name: 'w',
      workspace: 'public',
      version: 'v1beta',
      worker: {stack: 'command', compute: 'kube', stackSpec: {command: 'sleep'}},
      stack: stackOf('command'),
      compute: KUBE,
      secrets: [],
    }
    expect(() => renderWorker(input)).toThrow(RenderError)
    expect(() => renderWorker(input)).toThrow(/no container image/)
    try {
      renderWorker(input)
    } catch (error) {
      expect((error as RenderError).path).toEqual(['worker', 'stackSpec'])
    }
    expect(imageOf({name: 'x', image: {image: 'app'}}, undefined)).toBe('app')
    expect(imageOf({image: {registry: 'r.io', repository: 'team', image: 'app', tag: '1'}}, {})).toBe('r.io/team/app:1')
  })
})

// ---- fuzzing: valid workers from a seeded generator -------------------------------------------

function prng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generator(seed: number) {
  const random = prng(seed)
  const int = (max: number) => Math.floor(random() * max)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const chance = (p: number) => random() < p
  const word = (max = 12) => {
    const letters = 'abcdefghijklmnopqrstuvwxyz'
    let w = pick([...letters])
    for (let i = int(max); i > 0; i--) w += pick([...`${letters}0123456789-`])
    return w.replace(/-+$/, '') || 'x'
  }
  const name = () => {
    const n = word(int(2) ? 46 : 8)
    return n.slice(0, 48).replace(/-+$/, '')
  }
  const text = () => pick(['plain', '$(HOME)', '$$', 'a=b', 'multi\nline', 'ünïcode', '', '${X}', '100'])
  return {int, pick, chance, word, name, text}
}

function fuzzCase(seed: number): {input: RenderInput; manifest: Json} {
  const g = generator(seed)
  const workspace = g.chance(0.5) ? 'public' : g.name()
  const secrets = Array.from({length: g.int(3)}, () => ({
    name: g.name(),
    workspace: g.chance(0.8) ? workspace : g.name(),
    data: Object.fromEntries(
      Array.from({length: 1 + g.int(3)}, () => [g.pick(['user', 'pass.word', 'x_1', 'TOKEN', '9key']), g.text()]),
    ),
  }))
  const worker: Json = {
    stack: g.pick(['node', 'command']),
    compute: 'kube',
    replicas: g.int(6),
    logLevel: g.pick(['INFO', 'DEBUG', 'WARN', 'ERROR']),
  }
  worker.stackSpec =
    worker.stack === 'node'
      ? g.chance(0.5)
        ? {source: `console.log(${JSON.stringify(g.text())})`, nodeOptions: ['--max-old-space-size=64']}
        : {script: g.pick(['main.js', 'dist/app.js']), workingDir: g.pick(['app', '/srv/app'])}
      : {
          command: g.pick(['sleep', '/bin/sh']),
          args: [g.text(), g.text()],
          image: g.pick(['busybox:1.37', 'r.io/x/y:2']),
        }
  if (g.chance(0.5)) worker.envs = Object.fromEntries(Array.from({length: g.int(4)}, () => [`E_${g.int(5)}`, g.text()]))
  if (g.chance(0.4))
    worker.configs = Object.fromEntries(
      Array.from({length: 1 + g.int(2)}, () => [g.pick(['app.properties', 'a.yaml', '_x']), g.text()]),
    )
  if (g.chance(0.4)) {
    const max = 1 + g.int(8)
    worker.autoscaling = {
      enabled: g.chance(0.8),
      minReplicas: 1 + g.int(max),
      maxReplicas: max,
      ...(g.chance(0.5) ? {targetCPUUtilizationPercentage: 1 + g.int(150)} : {}),
      ...(g.chance(0.3) ? {targetMemoryUtilizationPercentage: 1 + g.int(150)} : {}),
    }
  }
  if (g.chance(0.3))
    worker.highAvailabilityConfig = {
      level: g.pick(['hostname', 'zone', 'region']),
      mode: g.pick(['preferred', 'required']),
    }
  if (g.chance(0.5))
    worker.resources = {
      ...(g.chance(0.6)
        ? {requests: {cpu: g.pick(['100m', '0.5', 1]), memory: g.pick(['64Mi', '256Mi', 1048576])}}
        : {}),
      ...(g.chance(0.6) ? {limits: {cpu: g.pick(['2', '1500m']), memory: g.pick(['2Gi', '512Mi'])}} : {}),
    }
  const refs = secrets.map((s) => ({
    name: s.name,
    ...(s.workspace === workspace ? {} : {workspace: s.workspace}),
    consumptionType: g.pick(['envVars', 'propFile', 'file']),
    ...(g.chance(0.3) ? {keys: [Object.keys(s.data)[0]!]} : {}),
  }))
  if (refs.length > 0) worker.dataosSecrets = refs
  if (g.chance(0.3))
    worker.dataosVolumes = [{name: g.name(), directory: g.pick(['data', '/data', 'a/b']), readOnly: g.chance(0.5)}]
  if (g.chance(0.2)) worker.tempVolume = g.name()
  if (g.chance(0.2)) worker.runAsUser = g.word()
  if (g.chance(0.2)) worker.runAsApiKey = `key-${g.word()}`
  const compute: ComputeSpec = {
    dataplane: 'hub',
    ...(g.chance(0.5) ? {namespacePrefix: g.pick(['drover-', 'x', 'team1-'])} : {}),
    ...(g.chance(0.5)
      ? {
          nodePool: {
            nodeSelector: {
              [g.pick(['dataos.io/purpose', 'pool', 'kubernetes.io/arch'])]: g.pick(['runnable', 'amd64', '']),
            },
            tolerations: [{operator: 'Exists', effect: g.pick(['NoSchedule', 'NoExecute'])}],
          },
        }
      : {}),
    ...(g.chance(0.5) ? {defaults: {requests: {cpu: '50m'}, limits: {memory: '1Gi'}}} : {}),
  }
  const name = g.name()
  const manifest: Json = {name, version: 'v1beta', type: 'worker', workspace, worker}
  return {
    manifest,
    input: {
      name,
      workspace,
      version: 'v1beta',
      worker: workerSpec(manifest),
      stack: stackOf(String(worker.stack)),
      compute,
      secrets,
    },
  }
}

describe('renderWorker over fuzzed workers', () => {
  it('renders 300 valid workers into valid objects', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const {input, manifest} = fuzzCase(seed)
      const validation = validateManifest(manifest)
      expect(validation.problems, `seed ${seed}: the generator made an invalid worker`).toEqual([])
      const objects = renderWorker(input)
      expect(problemsOf(objects), `seed ${seed}: ${JSON.stringify(manifest)}`).toEqual([])
    }
  })

  it('the checks catch what the schemas miss', () => {
    const objects = renderWorker(fuzzCase(7).input)
    const deployment = objects.find((o) => o.kind === 'Deployment') as Deployment
    const broken = structuredClone(objects) as KubernetesObject[]
    const d = broken.find((o) => o.kind === 'Deployment') as Deployment
    d.metadata!.name = 'Bad_Name!'
    d.spec!.template.metadata!.labels = {}
    d.spec!.template.spec!.containers[0]!.env!.push(
      structuredClone(deployment.spec!.template.spec!.containers[0]!.env![0]!),
    )
    ;(d.spec!.strategy as {type: string}).type = 'Bogus'
    expect(problemsOf(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Deployment\/Bad_Name!: schema: .*strategy/),
        'Deployment/Bad_Name!: name is not a DNS subdomain',
        expect.stringMatching(/^selector .* does not match the template$/),
        'container worker: duplicate env names',
      ]),
    )
  })
})
