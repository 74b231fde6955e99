// Shell completion from the built CLI, exercised by the shells themselves: bash calls the
// completion function as it would on Tab, fish answers `complete -C`, zsh loads it. zsh and fish
// may be missing on a fresh machine: then this says so and skips them; .ci/run installs them and
// sets DROVER_REQUIRE_SHELLS=1, so CI never skips.
import {execFileSync, spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/server.js'

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0
const required = process.env.DROVER_REQUIRE_SHELLS === '1'
for (const shell of ['zsh', 'fish'])
  if (!has(shell) && !required)
    console.warn(`SKIPPED: ${shell} completion tests (${shell} is not installed; apt-get install ${shell})`)

describe('shell completion', () => {
  const dir = tempDir('completion')
  const scripts: Record<string, string> = {}
  beforeAll(async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell])
      expect(r.code).toBe(0)
      scripts[shell] = join(dir, `drover.${shell}`)
      writeFileSync(scripts[shell]!, r.stdout)
    }
  })

  /** What bash offers on Tab after `line` (words separated by spaces; a trailing space starts a new word). */
  const bash = (line: string) => {
    const words = line.split(' ')
    const script = `source ${scripts.bash}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _drover; printf '%s\\n' "\${COMPREPLY[@]}"`
    return execFileSync('bash', ['-c', script], {cwd: ROOT, encoding: 'utf8'}).trim().split('\n').filter(Boolean)
  }

  it('bash completes commands, subcommands, flags, flag values and files', () => {
    const top = bash('drover ')
    expect(top).toEqual(expect.arrayContaining(['apply', 'get', 'delete', 'describe', 'scale', 'server', 'completion']))
    expect(top).not.toContain('logs') // hidden aliases are not offered
    expect(bash('drover ge')).toEqual(['get'])
    expect(bash('drover get ')).toEqual(['runtime'])
    expect(bash('drover server ')).toEqual(['install', 'migrate', 'start', 'status', 'stop'])
    expect(bash('drover develop schema ')).toEqual(['generate', 'get'])
    expect(bash('drover get -t ')).toEqual(['worker', 'stack', 'secret', 'compute'])
    expect(bash('drover get --output y')).toEqual(['yaml'])
    expect(bash('drover apply --li')).toEqual(['--lint'])
    expect(bash('drover get -t worker --ow')).toEqual(['--owner'])
    expect(bash('drover apply -f examples/worker-m')).toEqual(['examples/worker-minimal.yaml'])
    expect(bash('drover completion ')).toEqual(['bash', 'fish', 'zsh'])
  })

  it.runIf(has('fish') || required)('fish completes the same', () => {
    const fish = (line: string) =>
      execFileSync('fish', ['-c', `source ${scripts.fish}; complete -C '${line}'`], {cwd: ROOT, encoding: 'utf8'})
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0])
    expect(fish('drover ge')).toEqual(['get'])
    expect(fish('drover server ')).toEqual(['install', 'migrate', 'start', 'status', 'stop'])
    expect(fish('drover get -t ')).toEqual(['compute', 'secret', 'stack', 'worker'])
    expect(fish('drover get --outp')).toEqual(['--output'])
    expect(fish('drover apply -f examples/worker-m')).toEqual(['examples/worker-minimal.yaml'])
  })

  it.runIf(has('zsh') || required)('zsh loads it and registers the completion', () => {
    const out = execFileSync(
      'zsh',
      ['-c', `source ${scripts.zsh} && (( $+functions[_drover] )) && print -r -- "\${_comps[drover]}"`],
      {cwd: ROOT, encoding: 'utf8', env: {...process.env, ZDOTDIR: dir}},
    )
    expect(out.trim()).toBe('_bash_complete -o default -F _drover')
  })

  it('refuses a shell it does not know', async () => {
    const r = await runCli(['completion', 'powershell'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('usage: drover completion SHELL [flags]')
  })
})
