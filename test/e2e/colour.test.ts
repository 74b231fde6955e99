// Colour through the built CLI: statuses coloured on a terminal (a pseudo-terminal from
// util-linux's script), never in a pipe; FORCE_COLOR forces it, NO_COLOR and FORCE_COLOR=0 stop it.
import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {NODE, ROOT, RUN_JS, cliEnv, runCli} from '../helpers/run-cli.js'
import {type ServerProcess, killReplicasUnder, startServerProcess, tempDir} from '../helpers/server.js'

const ESC = '\u001B['
const ANSI = new RegExp(`${ESC.replace('[', '\\[')}\\d+m`, 'g')
const plain = (text: string) => text.replace(ANSI, '')

/** The CLI on a pseudo-terminal: what a user at a terminal sees. */
function onTerminal(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const command = [NODE, RUN_JS, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no answer on the terminal: ${out}`))
    }, 15_000)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(out.replaceAll('\r\n', '\n'))
    })
  })
}

describe('colour', () => {
  const home = tempDir('colour')
  let server: ServerProcess
  let remote: Record<string, string>
  beforeAll(async () => {
    server = await startServerProcess({home})
    remote = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
    expect((await runCli(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'], {env: remote})).code).toBe(0)
  })
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('colours statuses on a terminal, and nothing else', async () => {
    const out = await onTerminal(['get', '-t', 'worker'], {...remote, NO_COLOR: undefined, FORCE_COLOR: undefined})
    expect(out).toContain(`${ESC}32mactive${ESC}39m`)
    expect(out).toContain(`${ESC}32mrunning:1/1${ESC}39m`)
    expect(out.split('\n')[0]).not.toContain(ESC) // the header stays plain
    // the columns are aligned as without colour
    const piped = await runCli(['get', '-t', 'worker'], {env: remote})
    expect(plain(out).replace(/\d+s\n$/, '')).toBe(piped.stdout.replace(/\d+s\n$/, ''))
    const runtime = await onTerminal(['get', 'runtime', '-n', 'hello-worker'], {...remote, NO_COLOR: undefined})
    expect(runtime).toContain(`${ESC}32mRunning${ESC}39m`)
  })

  it('leaves a pipe, NO_COLOR and FORCE_COLOR=0 plain; FORCE_COLOR colours a pipe', async () => {
    const piped = await runCli(['get', '-t', 'worker'], {env: {...remote, NO_COLOR: undefined}})
    expect(piped.stdout).not.toContain(ESC)
    expect(await onTerminal(['get', '-t', 'worker'], {...remote, NO_COLOR: '1'})).not.toContain(ESC)
    expect(await onTerminal(['get', '-t', 'worker'], {...remote, NO_COLOR: undefined, FORCE_COLOR: '0'})).not.toContain(
      ESC,
    )
    const forced = await runCli(['get', '-t', 'worker'], {env: {...remote, FORCE_COLOR: '1'}})
    expect(forced.stdout).toContain(`${ESC}32mrunning:1/1${ESC}39m`)
    // JSON is never coloured
    const json = await runCli(['get', '-t', 'worker', '--output', 'json'], {env: {...remote, FORCE_COLOR: '1'}})
    expect(json.stdout).not.toContain(ESC)
  })
})
