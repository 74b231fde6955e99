import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script (bash, zsh or fish).'
  static override description =
    'Completes commands, flags and the values of flags that have a fixed set (-t worker|stack|secret, --output…), and file names where a flag takes a file. Generated from the command table, so it always matches this version.'

  static override examples = [
    '$ source <(<%= config.bin %> completion bash)',
    '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/drover',
    '<%= config.bin %> completion zsh > "${fpath[1]}/_drover"',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/drover.fish',
  ]

  static override args = {
    shell: Args.string({description: 'bash, zsh or fish', required: true, options: ['bash', 'zsh', 'fish']}),
  }

  async run() {
    const {args} = await this.parse(Completion)
    const {completion} = await import('../cli/actions/completion.js')
    return this.runAction(completion, {shell: args.shell})
  }
}
