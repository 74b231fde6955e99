// get's kubectl habits through the built CLI against a real control plane: --output wide,
// -l/--selector on tags, --sort-by, and --watch printing a line per change as it happens.
import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {NODE, ROOT, RUN_JS, cliEnv, runCli} from '../helpers/run-cli.js'
import {FAST, type ServerProcess, killReplicasUnder, startServerProcess, tempDir} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

describe('get: wide, selector, sort-by, watch', () => {
  const home = tempDir('get-options')
  let server: ServerProcess
  let env: Record<string, string>
  const names = (stdout: string) =>
    stdout
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((l) => l.split(' ')[0])
  beforeAll(async () => {
    server = await startServerProcess({home, env: FAST})
    env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey, PASSWORD: 'x'}
    expect((await runCli(['apply', '-f', 'examples', '--wait'], {env, timeoutMs: 60_000})).code).toBe(0)
  })
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('--output wide adds replicas, stack, compute and revision', async () => {
    const r = await runCli(['get', '-t', 'worker', '-n', 'order-consumer', '--output', 'wide'], {env})
    const [header, , row] = r.stdout.trimEnd().split('\n')
    expect(header!.split(/\s*\|\s*/)).toEqual([
      ...['NAME', 'VERSION', 'TYPE', 'WORKSPACE', 'STATUS', 'RUNTIME', 'OWNER', 'AGE'],
      ...['REPLICAS', 'STACK', 'COMPUTE', 'REVISION'],
    ])
    expect(row!.split(/\s*\|\s*/).slice(8)).toEqual([
      '2/2',
      'node',
      'runnable-default',
      expect.stringMatching(/^[0-9a-f]{8}$/),
    ])
  })

  it('-l selects by tags: all named, none of the !negated; nothing matching says so', async () => {
    expect(names((await runCli(['get', '-t', 'worker', '-l', 'example'], {env})).stdout)).toEqual([
      'busy-worker',
      'order-consumer',
    ])
    expect(names((await runCli(['get', '-t', 'worker', '--selector', 'example,!autoscaling'], {env})).stdout)).toEqual([
      'order-consumer',
    ])
    const none = await runCli(['get', '-t', 'worker', '-l', 'tier=gold'], {env})
    expect(none).toMatchObject({code: 0, stdout: ''})
    expect(none.stderr).toContain('no worker found matching tier=gold')
  })

  it('--sort-by a column or a field; anything else is a usage error', async () => {
    expect(
      names((await runCli(['get', '-t', 'worker', '--sort-by', '.manifest.worker.replicas'], {env})).stdout).at(-1),
    ).toBe(
      'order-consumer', // 2 replicas, the others 1
    )
    const byName = names((await runCli(['get', '-t', 'worker', '--sort-by', 'name'], {env})).stdout)
    expect(byName).toEqual([...byName].sort())
    const bad = await runCli(['get', '-t', 'worker', '--sort-by', 'colour'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--sort-by "colour": a column (name, age')
  })

  it('--watch prints the table, then a line for each change as it happens', async () => {
    const child = spawn(NODE, [RUN_JS, 'get', '-t', 'worker', '--watch'], {
      cwd: ROOT,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    try {
      await waitFor('the table', () => (out.split('\n').length > 5 ? true : undefined), 15_000)
      const table = out
      expect(table).toMatch(/^NAME +\| VERSION/)
      expect((await runCli(['scale', '-n', 'hello-worker', '--replicas', '2'], {env})).code).toBe(0)
      await waitFor(
        'hello-worker at 2/2',
        () => /(^|\n)hello-worker +\| .*running:2\/2/.test(out.slice(table.length)) || undefined,
        15_000,
      )
      expect((await runCli(['delete', '-n', 'busy-worker', '-t', 'worker'], {env})).code).toBe(0)
      await waitFor('busy-worker deleted', () => /\nbusy-worker +\| .*\| deleted +\|/.test(out) || undefined, 15_000)
      // only what changed: order-consumer never appears again
      expect(out.slice(table.length)).not.toContain('order-consumer')
    } finally {
      child.kill('SIGINT')
    }
  })
  it('get runtime --watch prints the replicas, then a row per replica that changes, until the worker is gone', async () => {
    expect((await runCli(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'], {env})).code).toBe(0)
    expect((await runCli(['scale', '-n', 'hello-worker', '--replicas', '2'], {env})).code).toBe(0)
    expect((await runCli(['rollout', 'status', '-n', 'hello-worker'], {env})).code).toBe(0)
    const child = spawn(NODE, [RUN_JS, 'get', 'runtime', '-n', 'hello-worker', '--watch', '--output', 'json'], {
      cwd: ROOT,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const text = spawn(NODE, [RUN_JS, 'get', 'runtime', '-n', 'hello-worker', '--watch'], {
      cwd: ROOT,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let table = ''
    let errors = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    text.stdout.setEncoding('utf8').on('data', (d: string) => (table += d))
    text.stderr.setEncoding('utf8').on('data', (d: string) => (errors += d))
    const changes = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as {type: string; replica: {index: number; ready: boolean; pid?: number}})
    const exited = (c: typeof child) =>
      new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.on('exit', resolve)))
    try {
      await waitFor('the replicas', () => (changes().length === 2 ? true : undefined), 15_000)
      expect(changes().map((c) => [c.type, c.replica.index])).toEqual([
        ['ADDED', 0],
        ['ADDED', 1],
      ])
      await waitFor('the table', () => /\nREPLICA +PID +PHASE/.test(table) || undefined, 15_000)
      const killed = changes()[0]!.replica.pid!
      process.kill(killed, 'SIGKILL')
      // The killed replica changes (exited, then restarted); the other one is never printed again.
      await waitFor(
        'replica 0 restarted',
        () => changes().some((c) => c.type === 'MODIFIED' && c.replica.index === 0 && c.replica.ready) || undefined,
        20_000,
      )
      expect(changes().filter((c) => c.type !== 'ADDED' && c.replica.index === 1)).toEqual([])
      expect((await runCli(['delete', '-n', 'hello-worker', '-t', 'worker'], {env})).code).toBe(0)
      expect(await exited(child)).toBe(0)
      expect(await exited(text)).toBe(0)
      expect(
        changes()
          .slice(-2)
          .map((c) => c.type),
      ).toEqual(['DELETED', 'DELETED'])
      expect(table.trimEnd().split('\n').slice(-2).join('\n')).toMatch(
        /hello-worker-\S+-0 .* Gone .*\nhello-worker-\S+-1 .* Gone /,
      )
      expect(errors).toContain('worker hello-worker was deleted: nothing more to watch')
    } finally {
      child.kill('SIGINT')
      text.kill('SIGINT')
    }
  })
})
