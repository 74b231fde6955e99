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
        args: ['-e', 'setInterval(() => console.log(process.env.GREETING, new Date().toISOString()), 5000)'],
      },
      resources: {requests: {cpu: '100m', memory: '64Mi'}, limits: {cpu: '500m', memory: '256Mi'}},
    },
  }),
  stack: (name, version) => ({
    name,
    version,
    type: 'stack',
    description: `${name}: a program that workers can run`,
    stack: {
      name,
      version: '1.0',
      command: ['node'],
      arguments: ['{{.StackSpecFile}}'],
    },
  }),
  secret: (name, version) => ({
    name,
    version,
    type: 'secret',
    description: `${name}: credentials for workers`,
    secret: {type: 'key-value', acl: 'r', data: {username: 'app', password: '${PASSWORD}'}},
  }),
}

export function starterManifest(type: string, version: string, name: string): Json | undefined {
  return starters[type]?.(name, version)
}
