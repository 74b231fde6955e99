// Starter manifests for `drover develop generate`: the smallest useful resource of each type,
// valid as printed (a test validates every one).
import type {Json} from '../lib/json.js'

const starters: Record<string, (name: string, version: string) => Json> = {
  worker: (name, version) => ({
    name,
    version,
    type: 'worker',
    tags: ['example'],
    description: `${name}: what this worker does`,
    worker: {
      replicas: 1,
      stack: 'command',
      compute: 'runnable-default',
      logLevel: 'INFO',
      envs: {GREETING: 'hello'},
      stackSpec: {
        command: 'node',
        args: [
          '-e',
          'const hi = () => console.log(process.env.GREETING, new Date().toISOString()); hi(); setInterval(hi, 5000)',
        ],
      },
      resources: {requests: {cpu: '100m', memory: '64Mi'}, limits: {cpu: '500m', memory: '256Mi'}},
    },
  }),
  stack: (name, version) => ({
    name,
    version,
    type: 'stack',
    description: `${name}: a program that workers can run`,
    // Runs the JavaScript a worker gives as stackSpec.code (stack: <name>:1.0).
    stack: {
      name,
      version: '1.0',
      command: ['node', '-e'],
      arguments: ['{{.StackSpec.code}}'],
      stackSpecValueSchema: {
        jsonSchema: {
          type: 'object',
          required: ['code'],
          additionalProperties: false,
          properties: {code: {type: 'string', description: 'JavaScript the worker runs'}},
        },
      },
    },
  }),
  secret: (name, version) => ({
    name,
    version,
    type: 'secret',
    description: `${name}: credentials for workers`,
    // $PASSWORD from the environment at apply, or the placeholder: applies as printed.
    secret: {type: 'key-value', acl: 'r', data: {username: 'app', password: '${PASSWORD:-change-me}'}},
  }),
  compute: (name, version) => ({
    name,
    version,
    type: 'compute',
    layer: 'system',
    description: `${name}: where workers run`,
    // This machine, with default resources for workers that give none; a Kubernetes compute
    // names a dataplane of the control plane's configuration instead (see examples/compute.yaml).
    compute: {
      dataplane: 'local',
      purpose: 'runnable',
      defaults: {requests: {cpu: '100m', memory: '128Mi'}, limits: {memory: '512Mi'}},
    },
  }),
}

export function starterManifest(type: string, version: string, name: string): Json | undefined {
  return starters[type]?.(name, version)
}
