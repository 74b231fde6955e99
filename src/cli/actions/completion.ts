// `drover completion bash|zsh|fish`: a completion script generated from the command manifest
// (oclif.manifest.json, the table the fast path reads), so it names every command, topic,
// flag and flag value there is, and nothing else. Static: completing costs no Node start-up.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {packageRoot} from '../../lib/package-root.js'
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'

interface Flag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  options?: string[]
}
interface Command {
  flags: Record<string, Flag>
  args?: Record<string, {options?: string[]}>
  hidden?: boolean
}
type Commands = Record<string, Command>

/** Flags whose value is a file or folder. */
const FILE_FLAGS = new Set(['manifestFile', 'out', 'api-key-file', 'config', 'tls-cert', 'tls-key', 'data-dir'])

const SHELLS = ['bash', 'zsh', 'fish'] as const
type Shell = (typeof SHELLS)[number]

const words = (id: string) => id.split(':')
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`

/** For every prefix of command words (`''`, `get`, `develop schema`…), the words that may follow. */
function nextWords(commands: Commands): Map<string, Set<string>> {
  const next = new Map<string, Set<string>>()
  for (const id of Object.keys(commands)) {
    const w = words(id)
    for (let i = 0; i < w.length; i++) {
      const prefix = w.slice(0, i).join(' ')
      if (!next.has(prefix)) next.set(prefix, new Set())
      next.get(prefix)!.add(w[i]!)
    }
    // a positional argument with a fixed set of values completes like a subcommand
    const values = Object.values(commands[id]!.args ?? {}).flatMap((a) => a.options ?? [])
    if (values.length > 0) next.set(w.join(' '), new Set([...(next.get(w.join(' ')) ?? []), ...values]))
  }
  return next
}

const flagWords = (c: Command) =>
  Object.values(c.flags).flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])])

function bash(commands: Commands): string {
  const next = nextWords(commands)
  const valueCases: string[] = []
  const flagCases: string[] = []
  for (const [id, c] of Object.entries(commands)) {
    const cmd = words(id).join(' ')
    for (const f of Object.values(c.flags)) {
      const spellings = [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].map((s) => `${quote(`${cmd}:${s}`)}`)
      if (f.options)
        valueCases.push(
          `    ${spellings.join('|')}) COMPREPLY=($(compgen -W ${quote(f.options.join(' '))} -- "$cur")); return ;;`,
        )
      else if (FILE_FLAGS.has(f.name))
        valueCases.push(`    ${spellings.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`)
      else if (f.type === 'option') valueCases.push(`    ${spellings.join('|')}) return ;;`)
    }
    flagCases.push(`    ${quote(cmd)}) flags=${quote([...flagWords(c), '--help'].join(' '))} ;;`)
  }
  const subCases = [...next].map(([prefix, w]) => `    ${quote(prefix)}) subs=${quote([...w].sort().join(' '))} ;;`)
  return `# drover completion for bash. Load it in this shell:  source <(drover completion bash)
# or for every shell:  drover completion bash > ~/.local/share/bash-completion/completions/drover
_drover() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" i w subs="" flags="" flagged=""
  # The command is the words after drover up to the first flag; after a flag, only flags.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ $w == -* ]] && flagged=1 && break
    cmd="\${cmd:+$cmd }$w"
  done
  ((COMP_CWORD > 1)) && prev="\${COMP_WORDS[COMP_CWORD - 1]}"
  if [[ $prev == -* ]]; then
    case "$cmd:$prev" in
${valueCases.join('\n')}
    esac
  fi
  case "$cmd" in
${subCases.join('\n')}
  esac
  case "$cmd" in
${flagCases.join('\n')}
  esac
  if [[ $cur == -* || -z $subs || -n $flagged ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
}
complete -o default -F _drover drover
`
}

function zsh(commands: Commands): string {
  return `#compdef drover
# drover completion for zsh. Load it in this shell:  source <(drover completion zsh)
# The bash completion, through zsh's bashcompinit.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(commands)
  .split('\n')
  .filter((l) => !l.startsWith('# drover completion') && !l.startsWith('# or for every shell'))
  .join('\n')}`
}

function fish(commands: Commands): string {
  const next = nextWords(commands)
  const lines = [
    '# drover completion for fish. Load it:  drover completion fish | source',
    '# or for every shell:  drover completion fish > ~/.config/fish/completions/drover.fish',
    'complete -c drover -f',
    // whether the words typed after drover, up to the first flag, are $argv[1]; with a second
    // argument, also that no flag was typed (then a subcommand may still follow)
    'function __drover_is',
    '  set -l w (commandline -opc); set -e w[1]; set -l c',
    '  for x in $w; if string match -q -- "-*" $x; test -n "$argv[2]"; and return 1; break; end; set -a c $x; end',
    '  test "$c" = "$argv[1]"',
    'end',
  ]
  for (const [prefix, w] of next)
    lines.push(
      `complete -c drover -n ${quote(`__drover_is ${quote(prefix)} words`)} -a ${quote([...w].sort().join(' '))}`,
    )
  for (const [id, c] of Object.entries(commands)) {
    const condition = quote(`__drover_is ${quote(words(id).join(' '))}`)
    for (const f of Object.values(c.flags)) {
      const parts = [`complete -c drover -n ${condition} -l ${f.name}`]
      if (f.char) parts.push(`-s ${f.char}`)
      if (f.options) parts.push(`-x -a ${quote(f.options.join(' '))}`)
      else if (FILE_FLAGS.has(f.name)) parts.push('-r -F')
      else if (f.type === 'option') parts.push('-x')
      lines.push(parts.join(' '))
    }
  }
  return `${lines.join('\n')}\n`
}

function completionScript(shell: Shell, commands: Commands): string {
  const visible = Object.fromEntries(Object.entries(commands).filter(([, c]) => !c.hidden))
  return shell === 'bash' ? bash(visible) : shell === 'zsh' ? zsh(visible) : fish(visible)
}

export async function completion(flags: {shell: string}, _io: Io): Promise<Outcome> {
  if (!(SHELLS as readonly string[]).includes(flags.shell))
    throw new UsageError(`no completion for ${JSON.stringify(flags.shell)}: bash, zsh or fish`)
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'oclif.manifest.json'), 'utf8')) as {
    commands: Commands
  }
  const script = completionScript(flags.shell as Shell, manifest.commands)
  return {data: {shell: flags.shell, script}, render: () => script.trimEnd()}
}
