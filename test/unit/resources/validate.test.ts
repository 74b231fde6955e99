import {describe, expect, it} from 'vitest'
import {modelFor} from '../../../src/resources/model/index.js'
import {problemMessage} from '../../../src/resources/problems.js'
import {validateManifest} from '../../../src/resources/validate.js'

const worker = (section: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
  name: 'w',
  version: 'v1beta',
  type: 'worker',
  ...meta,
  worker: {stack: 'node', compute: 'runnable-default', ...section},
})

const messages = (value: unknown) => validateManifest(value).problems.map((p) => problemMessage(p))

describe('validateManifest', () => {
  it('fills defaults into a copy and leaves the input alone', () => {
    const input = worker({})
    const result = validateManifest(input)
    expect(result.problems).toEqual([])
    expect(result.key).toBe('worker.v1beta')
    expect(result.manifest).toEqual({
      ...input,
      layer: 'user',
      worker: {...input.worker, replicas: 1, logLevel: 'INFO', dryRun: false},
    })
    expect(input).toEqual(worker({}))
  })

  it('stores autoScaling as autoscaling, with its defaults', () => {
    const result = validateManifest(
      worker({autoScaling: {maxReplicas: 3, targetCPUUtilizationPercentage: 80}, resources: {requests: {cpu: '100m'}}}),
    )
    expect(result.problems).toEqual([])
    const section = result.manifest!.worker as Record<string, unknown>
    expect(section.autoScaling).toBeUndefined()
    expect(section.autoscaling).toEqual({
      enabled: true,
      minReplicas: 1,
      maxReplicas: 3,
      targetCPUUtilizationPercentage: 80,
    })
  })

  it('rejects a value that is not a mapping', () => {
    expect(messages('hello')).toEqual([
      'Invalid document: a manifest must be a mapping (name, version, type, …), not a string',
    ])
    expect(messages([1])).toEqual([
      'Invalid document: a manifest must be a mapping (name, version, type, …), not a list',
    ])
    expect(messages(null)).toEqual([
      'Invalid document: a manifest must be a mapping (name, version, type, …), not empty',
    ])
  })

  it('names the supported types and versions', () => {
    expect(messages({name: 'w', version: 'v1beta'})).toEqual([
      'type: Required value; supported types: "worker", "stack", "secret", "compute"',
    ])
    expect(messages({name: 'w', version: 'v1beta', type: 'wrker'})).toEqual([
      'type: Unsupported value: "wrker": supported types: "worker", "stack", "secret", "compute"; did you mean "worker"?',
    ])
    expect(messages({name: 'w', version: 'v1', type: 'worker'})).toEqual([
      'version: Unsupported value: "v1": supported versions of worker: "v1beta"',
    ])
  })

  it('reports every problem at once, Kubernetes style', () => {
    expect(
      messages({
        name: 'Bad_Name',
        version: 'v1beta',
        type: 'worker',
        worker: {
          stack: 'node',
          replicas: -1,
          logLevel: 'TRACE',
          envs: {'1BAD': 'x'},
          resources: {limits: {memory: '1GB'}},
        },
      }),
    ).toEqual([
      "name: Invalid value: \"Bad_Name\": must consist of lower case letters, digits or '-', start with a letter and end with a letter or digit (e.g. 'my-worker')",
      'worker.compute: Required value',
      'worker.replicas: Invalid value: -1: must be greater than or equal to 0',
      'worker.logLevel: Unsupported value: "TRACE": supported values: "INFO", "DEBUG", "WARN", "ERROR"',
      'worker.envs["1BAD"]: Invalid value: "1BAD": must be an environment variable name: letters, digits and \'_\', not starting with a digit',
      'worker.resources.limits.memory: Invalid value: "1GB": must be a memory quantity such as "128Mi", "1Gi" or "1G"; did you mean "1Gi" (binary, as Kubernetes writes it) or "1G"?',
    ])
  })

  it('names the nearest field for a typo', () => {
    expect(messages(worker({replica: 2}))).toEqual(['worker.replica: Unknown field; did you mean "replicas"?'])
    expect(messages(worker({}, {descripton: 'x'}))).toEqual(['descripton: Unknown field; did you mean "description"?'])
  })

  it('says which parent a misplaced key belongs under', () => {
    expect(messages(worker({requests: {cpu: '1'}, limits: {cpu: '1'}}))).toEqual([
      'worker.requests: Unknown field; "requests" belongs under worker.resources',
      'worker.limits: Unknown field; "limits" belongs under worker.resources',
    ])
    expect(messages(worker({highAvailabilityConfig: {level: 'zone', replicas: 2}}))).toEqual([
      'worker.highAvailabilityConfig.replicas: Unknown field; "replicas" belongs under worker',
    ])
    expect(messages(worker({resources: {cpu: '1'}}))).toEqual([
      'worker.resources.cpu: Unknown field; "cpu" belongs under worker.resources.requests',
    ])
  })

  it('sends stack configuration beside stackSpec to stackSpec', () => {
    expect(messages(worker({stackSpec: null, input: {x: 1}, output: {y: 1}})).sort()).toEqual([
      'worker.input: Unknown field; stack configuration belongs under worker.stackSpec (indent it below stackSpec:)',
      'worker.output: Unknown field; stack configuration belongs under worker.stackSpec (indent it below stackSpec:)',
      'worker.stackSpec: Invalid value: null: must be a mapping',
    ])
    expect(messages(worker({bento: {}}))).toEqual([
      "worker.bento: Unknown field; bento: is DataOS's deprecated alias of stackSpec; drover reads the stack configuration from worker.stackSpec",
    ])
  })

  it('allows exactly one type section, named after the type', () => {
    expect(messages({name: 'w', version: 'v1beta', type: 'worker', stack: {name: 'x'}})).toEqual([
      'worker: Required value',
      'stack: Unknown field; a worker manifest has exactly one type section, worker:, and stack: is the section of a stack',
    ])
  })

  it('rejects autoscaling spelled both ways', () => {
    const block = {maxReplicas: 2, targetCPUUtilizationPercentage: 50}
    expect(messages(worker({autoscaling: block, autoScaling: block, resources: {requests: {cpu: '1'}}}))).toEqual([
      'worker.autoScaling: Duplicate value: autoscaling and autoScaling are two spellings of the same field; keep only one of them',
    ])
  })

  it('requires minReplicas ≤ maxReplicas', () => {
    expect(
      messages(
        worker({
          autoscaling: {minReplicas: 5, maxReplicas: 2, targetCPUUtilizationPercentage: 50},
          resources: {requests: {cpu: '1'}},
        }),
      ),
    ).toEqual(['worker.autoscaling.minReplicas: Invalid value: 5: must be less than or equal to maxReplicas (2)'])
  })

  it('warns, without refusing, when a utilization target has no request to be measured against', () => {
    const warnings = (value: unknown) => (validateManifest(value).warnings ?? []).map((p) => problemMessage(p))
    const both = worker({
      autoScaling: {maxReplicas: 3, targetCPUUtilizationPercentage: 80, targetMemoryUtilizationPercentage: 80},
    })
    expect(messages(both)).toEqual([])
    expect(validateManifest(both).manifest).toBeDefined()
    expect(warnings(both)).toEqual([
      `worker.autoScaling.targetCPUUtilizationPercentage: Defaulted value: utilization is measured against worker.resources.requests.cpu, which is not set: the control plane's default cpu request applies; set worker.resources.requests.cpu (e.g. "250m")`,
      `worker.autoScaling.targetMemoryUtilizationPercentage: Defaulted value: utilization is measured against worker.resources.requests.memory, which is not set: the control plane's default memory request applies; set worker.resources.requests.memory (e.g. "256Mi")`,
    ])
    expect(warnings(worker({autoscaling: {maxReplicas: 3}}))).toEqual([
      `worker.autoscaling: Defaulted value: without a target, autoscaling scales on CPU at 80 % of worker.resources.requests.cpu, which is not set: the control plane's default cpu request applies; set worker.resources.requests.cpu, or a utilization target`,
    ])
    expect(warnings(worker({autoscaling: {maxReplicas: 3}, resources: {requests: {cpu: '1'}}}))).toEqual([])
    // Disabled autoscaling asks for nothing.
    expect(
      messages(worker({autoscaling: {enabled: false, maxReplicas: 3, targetCPUUtilizationPercentage: 80}})),
    ).toEqual([])
  })

  it('accepts targets above 100 % (usage beyond the request), as DataOS samples use', () => {
    expect(
      messages(
        worker({
          autoScaling: {maxReplicas: 3, targetCPUUtilizationPercentage: 120},
          resources: {requests: {cpu: '500m'}},
        }),
      ),
    ).toEqual([])
  })

  it('requires requests ≤ limits', () => {
    expect(
      messages(
        worker({resources: {requests: {cpu: '1000m', memory: '2Gi'}, limits: {cpu: '400m', memory: 1073741824}}}),
      ),
    ).toEqual([
      'worker.resources.requests.cpu: Invalid value: "1000m": must be less than or equal to the cpu limit (400m)',
      'worker.resources.requests.memory: Invalid value: "2Gi": must be less than or equal to the memory limit (1Gi)',
    ])
    expect(
      messages(worker({resources: {requests: {cpu: 0.5, memory: '512Mi'}, limits: {cpu: '1', memory: '1Gi'}}})),
    ).toEqual([])
    expect(messages(worker({resources: {requests: {cpu: '500m'}, limits: {}}}))).toEqual([])
  })

  it('allows one of key, keys and allKeys per secret reference', () => {
    expect(messages(worker({dataosSecrets: [{name: 's', key: 'a', keys: ['b']}]}))).toEqual([
      'worker.dataosSecrets[0].keys: Forbidden: may not be combined with key: choose key, keys or allKeys',
    ])
  })

  it('gives an instance-level type no workspace', () => {
    expect(
      messages({name: 't', version: 'v1', type: 'stack', workspace: 'public', stack: {name: 't', version: '1.0'}}),
    ).toEqual(['workspace: Unknown field; a stack is an instance-level resource and belongs to no workspace'])
  })

  it('checks a stack’s stackSpec schema text is JSON', () => {
    expect(
      messages({
        name: 't',
        version: 'v1',
        type: 'stack',
        stack: {name: 't', version: '1.0', stackSpecValueSchema: {jsonSchema: '{nope'}},
      }),
    ).toEqual([
      expect.stringMatching(
        /^stack.stackSpecValueSchema.jsonSchema: Invalid value: must be a JSON document \(.+\); or write the schema as a YAML mapping instead of text$/,
      ),
    ])
  })

  it('never shows secret values in messages', () => {
    const result = validateManifest({
      name: 's',
      version: 'v1',
      type: 'secret',
      secret: {type: 'key-value', data: {password: {nested: 'hunter2'}}},
    })
    expect(result.problems).toHaveLength(1)
    const text = problemMessage(result.problems[0]!, {redact: true})
    expect(text).toBe('secret.data.password: Invalid value: (value hidden): must be a string, a number or a boolean')
  })
})

describe('the zod model and the generated validators agree', () => {
  const cases: unknown[] = [
    worker({}),
    worker({replicas: -1}),
    worker({replica: 2}),
    worker({autoScaling: {maxReplicas: 3, targetCPUUtilizationPercentage: 80}}),
    worker({autoScaling: {maxReplicas: 3, targetCPUUtilizationPercentage: 80}, resources: {requests: {cpu: '100m'}}}),
    worker({resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}}),
    worker({resources: {limits: {memory: '128m'}}}),
    worker({envs: {A: 1, B: true, C: 'x'}, configs: {'a.txt': 'x'}}),
    worker({dataosSecrets: [{name: 'db', allKeys: true}]}),
    {name: 's', version: 'v1', type: 'secret', secret: {type: 'key-value', data: {a: 'b'}}},
    {name: 's', version: 'v1', type: 'secret', secret: {type: 'key-value'}},
    {name: 't', version: 'v1alpha', type: 'stack', stack: {name: 't', version: '1.0', command: ['x']}},
    {name: 't', version: 'v1alpha', type: 'stack', stack: {name: 't', version: 1}},
  ]
  it.each(cases.map((c, i) => [i, c]))('case %i', (_, value) => {
    const v = value as {type: string; version: string}
    const zodResult = modelFor(`${v.type}.${v.version}`)!.safeParse(value)
    expect(zodResult.success).toBe(validateManifest(value).problems.length === 0)
  })
})
