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
