// Stacks that ship with the control plane, registered (idempotently) at every start, so that a
// fresh install can run workers. They are ordinary Stack resources of the system layer.
import type {Json} from '../api/types.js'
import type {ResourceStore} from '../store/store.js'

const SYSTEM_OWNER = 'system'

export const BUILTIN_STACKS: Json[] = [
  {
    name: 'command',
    version: 'v1',
    type: 'stack',
    layer: 'system',
    description: 'Runs any program: stackSpec.command with stackSpec.args, in stackSpec.workingDir.',
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
      "Runs a Node.js program on the control plane's own Node: inline (stackSpec.source) or a file (stackSpec.script).",
    stack: {
      name: 'node',
      version: '1.0',
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

export async function registerBuiltinStacks(store: ResourceStore): Promise<void> {
  for (const manifest of BUILTIN_STACKS) {
    await store.putSpec(
      {
        key: {workspace: '', type: 'stack', name: String(manifest.name)},
        version: String(manifest.version),
        owner: SYSTEM_OWNER,
        manifest,
      },
      {
        initialStatus: {phase: 'Active'},
        event: (r) => ({type: 'Normal', reason: 'Registered', message: `built-in stack ${r}`}),
      },
    )
  }
}
