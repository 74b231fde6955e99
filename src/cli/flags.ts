// Flags shared by several commands, spelled as dataos-ctl spells them.
import {Flags} from '@oclif/core'
import {TYPES} from '../resources/registry.js'

export const manifestFileOptions = {
  char: 'f' as const,
  aliases: ['filename'],
  multiple: true as const,
  summary: 'Manifest file, folder of manifests (see -R), or - for standard input; repeatable.',
}

export const recursiveFlag = Flags.boolean({char: 'R', summary: 'Read manifest folders recursively.'})

export const workspaceFlag = Flags.string({
  char: 'w',
  summary: "Workspace (default public); a manifest's own workspace: must agree with it.",
})

export const typeOptions = {char: 't' as const, summary: 'Resource type.', options: [...TYPES]}

export const disableInterpolationFlag = Flags.boolean({
  summary: 'Do not replace $VAR and ${VAR} in manifests with environment variables.',
})

export const textOrJsonFlag = Flags.string({summary: 'Output format.', options: ['text', 'json'], default: 'text'})

/** How commands about one worker's replicas (get runtime, log) name it. */
export const workerFlags = () => ({
  type: Flags.string({char: 't', summary: 'Resource type (worker).', options: ['worker']}),
  name: Flags.string({char: 'n', summary: 'Worker name.'}),
  workspace: Flags.string({char: 'w', summary: 'Workspace (default public).'}),
  identifier: Flags.string({char: 'i', summary: 'The worker as "name | version | type | workspace".'}),
  id: Flags.string({summary: 'The worker as type:version:name:workspace.'}),
  version: Flags.string({char: 'v', summary: 'Schema version (accepted for dataos-ctl compatibility).'}),
})
