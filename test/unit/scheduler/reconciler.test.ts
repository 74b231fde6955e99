import {describe, expect, it} from 'vitest'
import {desiredReplicas, processSpec, revisionOf} from '../../../src/scheduler/worker-reconciler.js'
import {BUILTIN_STACKS} from '../../../src/resources/builtins.js'

const node = BUILTIN_STACKS.find((s) => s.name === 'node')!.stack as Record<string, unknown>
const id = {name: 'w', workspace: 'public'}
const base = {stack: 'node', compute: 'runnable-default'}
const secrets = [{name: 'db', workspace: 'public', data: {user: 'app', 'pass-word': 's3cret'}}]

describe('processSpec', () => {
  it('builds the program, environment and files from the worker, its stack and its secrets', () => {
    const spec = processSpec(
      {
        ...base,
        stackSpec: {source: 'console.log(1)', args: ['--x']},
        envs: {A: 1, B: true},
        configs: {'a.txt': 'hello'},
        dataosSecrets: [
          {name: 'db', keys: ['user'], consumptionType: 'envVars'},
          {name: 'db', consumptionType: 'propFile'},
          {name: 'db', key: 'pass-word', consumptionType: 'file'},
        ],
        resources: {requests: {cpu: '250m', memory: '64Mi'}, limits: {memory: '1Gi'}},
        logLevel: 'WARN',
      },
      node,
      secrets,
      '/usr/bin/node',
      id,
    )
    expect(spec.command).toEqual([
      '{{.NodeBinary}}',
      '{{.StackSpec.nodeOptions}}',
      '{{.NodeProgram}}',
      '{{.StackSpec.args}}',
    ])
    expect(spec.context).toMatchObject({
      NodeBinary: '/usr/bin/node',
      NodeProgram: '{{.ConfigDir}}/main.cjs',
      StackSpecFile: '{{.ConfigDir}}/jobconfig.yaml',
    })
    expect(spec.env).toEqual({A: '1', B: 'true', user: 'app'})
    expect(spec.configFiles).toEqual({
      'a.txt': 'hello',
      'jobconfig.yaml': 'source: console.log(1)\nargs:\n  - --x\n',
      'main.cjs': 'console.log(1)',
    })
    expect(spec.secretFiles).toEqual({'db.properties': 'user=app\npass-word=s3cret\n', 'db/pass-word': 's3cret'})
    expect(spec.resources).toEqual({requests: {cpu: 0.25, memory: 64 * 2 ** 20}, limits: {memory: 2 ** 30}})
    expect(spec.logLevel).toBe('WARN')
  })

  it('turns secret keys into environment variable names', () => {
    expect(processSpec({...base, secrets: ['db']}, node, secrets, 'node', id).env).toEqual({
      user: 'app',
      pass_word: 's3cret',
    })
  })

  it('says what is missing', () => {
    expect(() => processSpec({...base, secrets: ['nope']}, node, secrets, 'node', id)).toThrow(
      'secret public/nope does not exist',
    )
    expect(() => processSpec({...base, dataosSecrets: [{name: 'db', key: 'nope'}]}, node, secrets, 'node', id)).toThrow(
      'secret public/db has no key "nope"',
    )
  })

  it('gives a new revision for any change that affects the processes, secret values included', () => {
    const a = processSpec({...base, secrets: ['db']}, node, secrets, 'node', id)
    const b = processSpec(
      {...base, secrets: ['db']},
      node,
      [{...secrets[0]!, data: {user: 'app', 'pass-word': 'changed'}}],
      'node',
      id,
    )
    expect(revisionOf(a)).toMatch(/^[0-9a-f]{8}$/)
    expect(revisionOf(a)).toBe(revisionOf(processSpec({...base, secrets: ['db']}, node, secrets, 'node', id)))
    expect(revisionOf(a)).not.toBe(revisionOf(b))
  })
})

describe('desiredReplicas', () => {
  it('is the spec’s count without autoscaling', () =>
    expect(desiredReplicas({...base, replicas: 3}, {phase: 'Running', desiredReplicas: 5}, undefined)).toBe(3))
  it('reads autoscaling under DataOS’s spelling autoScaling too', () => {
    const w = {...base, replicas: 1, autoScaling: {minReplicas: 2, maxReplicas: 4}}
    expect(desiredReplicas(w, undefined, undefined)).toBe(2)
    expect(desiredReplicas(w, {phase: 'Running', desiredReplicas: 3}, undefined)).toBe(3)
    expect(desiredReplicas({...w, autoScaling: {...w.autoScaling, enabled: false}}, undefined, undefined)).toBe(1)
  })
  it('keeps the live count with autoscaling: an apply never resets it', () => {
    const w = {...base, replicas: 1, autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 10}}
    expect(desiredReplicas(w, {phase: 'Running', desiredReplicas: 6}, undefined)).toBe(6)
    expect(desiredReplicas(w, {phase: 'Running', desiredReplicas: 6}, 8)).toBe(8)
    expect(desiredReplicas(w, undefined, undefined)).toBe(1)
    expect(
      desiredReplicas(
        {...w, autoscaling: {...w.autoscaling, maxReplicas: 4}},
        {phase: 'Running', desiredReplicas: 6},
        undefined,
      ),
    ).toBe(4)
  })
})
