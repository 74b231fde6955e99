// Resources that ship with the control plane (DESIGN §3): the stacks that let a fresh install run
// workers, and the compute of this machine. Plain data: the server registers them at start, and
// the CLI's offline commands (render) resolve against them.
import type {Json} from '../lib/json.js'

export const BUILTIN_STACKS: Json[] = [
  {
    name: 'command',
    version: 'v1',
    type: 'stack',
    layer: 'system',
    description:
      'Runs any program: stackSpec.command with stackSpec.args, in stackSpec.workingDir (from stackSpec.image on Kubernetes).',
    stack: {
      name: 'command',
      version: '1.0',
      command: ['{{.StackSpec.command}}'],
      arguments: ['{{.StackSpec.args}}'],
      stackSpecValueSchema: {
        jsonSchema: {
          type: 'object',
          required: ['command'],
          additionalProperties: false,
          properties: {
            command: {
              type: 'string',
              minLength: 1,
              description: 'Program to run: a path, or a name looked up on PATH.',
            },
            args: {type: 'array', items: {type: 'string'}, description: 'Its arguments.'},
            workingDir: {type: 'string', description: 'Folder to run in (default: the replica folder).'},
            image: {
              type: 'string',
              minLength: 1,
              description: 'Container image that has the program, on a Kubernetes compute (e.g. busybox:1.37).',
            },
          },
        },
      },
    },
  },
  {
    name: 'node',
    version: 'v1',
    type: 'stack',
    layer: 'system',
    description:
      "Runs a Node.js program on the control plane's own Node (the official Node 24 image on Kubernetes): inline (stackSpec.source) or a file (stackSpec.script).",
    stack: {
      name: 'node',
      version: '1.0',
      // On a Kubernetes compute: the official Node image, the program mounted from the ConfigMap.
      image: {registry: 'docker.io', repository: 'library', image: 'node', tag: '24-slim'},
      command: ['{{.NodeBinary}}'],
      arguments: ['{{.StackSpec.nodeOptions}}', '{{.NodeProgram}}', '{{.StackSpec.args}}'],
      stackSpecValueSchema: {
        jsonSchema: {
          type: 'object',
          additionalProperties: false,
          oneOf: [{required: ['source']}, {required: ['script']}],
          properties: {
            source: {
              type: 'string',
              minLength: 1,
              description: 'The program itself (CommonJS), written to the config folder as main.cjs.',
            },
            script: {type: 'string', minLength: 1, description: 'Path of the program file (relative to workingDir).'},
            args: {type: 'array', items: {type: 'string'}, description: 'Arguments after the program.'},
            nodeOptions: {
              type: 'array',
              items: {type: 'string'},
              description: 'Options for node itself, e.g. --max-old-space-size=256.',
            },
            workingDir: {type: 'string', description: 'Folder to run in (default: the replica folder).'},
          },
        },
      },
    },
  },
]

/**
 * The compute of this machine, as DataOS provisions runnable-default at install. Created when
 * missing, never overwritten: an admin may apply it again with defaults of their own.
 */
export const LOCAL_COMPUTE: Json = {
  name: 'runnable-default',
  version: 'v1',
  type: 'compute',
  layer: 'system',
  description: 'This machine: workers run as processes supervised by the control plane.',
  compute: {dataplane: 'local', purpose: 'runnable'},
}
