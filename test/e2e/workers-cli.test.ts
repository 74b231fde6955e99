// Running workers through the built CLI: apply --wait, get runtime, log, delete, on the local
// control plane the CLI starts itself (with millisecond policies).
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {processesWith, replicaWrappers} from '../helpers/procs.js'
import {NODE, ROOT, RUN_JS, TEST_HOME, cliEnv, killServerIn, runCli} from '../helpers/run-cli.js'
import {FAST, killReplicasUnder} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

// The control plane the first command starts keeps these settings. Ready means "ran minReadyMs":
// with FAST's 200 ms, a program that exits at once can take longer to start on a loaded machine
// and count as ready; 3 s is a margin no load here reaches.
const SETTINGS = {...FAST, DROVER_MIN_READY_MS: '3000'}
const run = (args: string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, {env: {...SETTINGS, ...extra}, timeoutMs: 30_000})

afterAll(() => {
  killServerIn(join(TEST_HOME, 'data', 'drover'))
  killReplicasUnder(TEST_HOME)
})

describe('workers through the CLI', () => {
  it('apply --wait says what it applied at once, then progress, and returns once the worker is ready', async () => {
    // A replica is ready after DROVER_MIN_READY_MS (3 s here): the apply line must come before.
    const child = spawn(NODE, [RUN_JS, 'apply', '-f', 'examples/worker-minimal.yaml', '--wait'], {
      cwd: ROOT,
      env: cliEnv(SETTINGS),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    let running = true
    exited.then(
      () => (running = false),
      () => (running = false),
    )
    try {
      await waitFor('the apply line', () => (stdout.includes('created\n') ? true : undefined), 20_000)
      expect(running).toBe(true) // said while still waiting
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
    }
    expect(stdout).toBe(
      'hello-worker:v1beta:worker (public): created\nhello-worker:v1beta:worker (public): ready: 1/1 replicas ready\n',
    )
    expect(stderr).toMatch(
      /hello-worker:v1beta:worker \(public\): 0\/1 ready\n(.*\n)*hello-worker:v1beta:worker \(public\): 1\/1 ready\n/,
    )
    expect((await run(['get', '-t', 'worker'])).stdout).toMatch(
      /\nhello-worker \| v1beta +\| worker \| public +\| active \| running:1\/1 \| \S+ +\| \d+s\n$/,
    )
  })

  it('get runtime shows each replica with its pid, phase, restarts and usage', async () => {
    const r = await run(['get', 'runtime', '-t', 'worker', '-n', 'hello-worker', '-w', 'public'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(
      /^hello-worker:v1beta:worker \(public\): Running, 1\/1 replicas ready, revision [0-9a-f]{8}$/,
    )
    expect(lines[1]).toMatch(/^limits: memory (cgroup-v1|cgroup-v2|watchdog), cpu (cgroup-v1|cgroup-v2|none)$/)
    expect(lines[3]).toMatch(/^REPLICA +PID +PHASE +READY +RESTARTS +LAST EXIT +CPU +MEMORY +STARTED$/)
    expect(lines[4]).toMatch(/^hello-worker-[0-9a-f]{8}-0 +\d+ +Running +yes +0 +- +\S+ +\S+ +\d+s$/)
    const json = JSON.parse(
      (await run(['get', 'runtime', '-i', 'hello-worker | v1beta | worker | public', '--output', 'json'])).stdout,
    )
    expect(json.replicas[0]).toMatchObject({
      index: 0,
      phase: 'Running',
      ready: true,
      restarts: 0,
      pid: expect.any(Number),
    })
  })

  it('log prints every replica’s lines with a replica prefix, and follows them', async () => {
    await waitFor(
      'two heartbeats',
      async () =>
        ((await run(['log', '-n', 'hello-worker'])).stdout.match(/heartbeat/g) ?? []).length >= 2 || undefined,
    )
    const r = await run(['log', '-t', 'worker', '-n', 'hello-worker', '-w', 'public', '-l', '2'])
    expect(r.stdout).toMatch(
      /^\[hello-worker-[0-9a-f]{8}-0\] heartbeat \d+ from replica 0\n\[hello-worker-[0-9a-f]{8}-0\] heartbeat \d+ from replica 0\n$/,
    )
    // JSON lines: one object per line, the replica apart from the message.
    const json = await run(['log', '-n', 'hello-worker', '-l', '2', '--output', 'json'])
    const entries = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as {replica: string; message: string})
    expect(entries).toHaveLength(2)
    for (const e of entries) {
      expect(e.replica).toMatch(/^hello-worker-[0-9a-f]{8}-0$/)
      expect(e.message).toMatch(/^heartbeat \d+ from replica 0$/)
    }
    const child = spawn(NODE, [RUN_JS, 'log', '-n', 'hello-worker', '-f', '-l', '0'], {
      cwd: ROOT,
      env: cliEnv(SETTINGS),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
      await waitFor('followed lines', () => (out.match(/heartbeat/g) ?? []).length >= 1 || undefined, 10_000)
    } finally {
      child.kill('SIGINT')
    }
  })

  it('apply --wait fails on a crash loop, and at its timeout', async () => {
    const manifest = (name: string, source: string) =>
      `name: ${name}\nversion: v1beta\ntype: worker\nworker:\n  stack: node\n  compute: runnable-default\n  stackSpec:\n    source: ${JSON.stringify(source)}\n`
    const looping = await runCli(['apply', '-f', '-', '--wait'], {
      input: manifest('looper', 'process.exit(4)'),
      env: SETTINGS,
      timeoutMs: 30_000,
    })
    expect(looping.stdout).toMatch(
      /^looper:v1beta:worker \(public\): created\nlooper:v1beta:worker \(public\): not ready: crash-looping: 1 replicas exit repeatedly \(last: Error, code 4\)\n$/,
    )
    expect(looping.code).toBe(1)
    const slow = await runCli(['apply', '-f', '-', '--wait', '--timeout', '50ms'], {
      input: manifest('slow', 'setInterval(() => {}, 1000)'),
      env: SETTINGS,
      timeoutMs: 30_000,
    })
    expect(slow.stdout).toBe(
      'slow:v1beta:worker (public): created\nslow:v1beta:worker (public): not ready: timed out after 50 ms waiting for it to be ready\n',
    )
    expect(slow.code).toBe(1)
  })

  it('the starters of develop generate apply and run as printed', async () => {
    const starter = async (type: string, name: string) => {
      const r = await run(['develop', 'generate', '-t', type, '-n', name])
      expect(r.code).toBe(0)
      return r.stdout
    }
    const apply = (input: string, wait = false) =>
      runCli(['apply', '-f', '-', ...(wait ? ['--wait'] : [])], {
        input,
        env: {...SETTINGS, PASSWORD: undefined},
        timeoutMs: 30_000,
      })
    expect((await apply(await starter('secret', 'starter-secret'))).stdout).toBe(
      'starter-secret:v1:secret (public): created\n',
    )
    expect((await apply(await starter('stack', 'starter-stack'))).stdout).toBe('starter-stack:v1:stack: created\n')
    expect((await apply(await starter('compute', 'starter-compute'))).stdout).toBe(
      'starter-compute:v1:compute: created\n',
    )
    const worker = await apply(await starter('worker', 'starter-worker'), true)
    expect(worker.stdout).toMatch(/ready: 1\/1 replicas ready\n$/)
    await waitFor(
      'the starter worker’s greeting',
      async () => /\] hello \d{4}-/.test((await run(['log', '-n', 'starter-worker'])).stdout) || undefined,
    )
    // A worker on the stack starter and the compute starter: its stackSpec.code is what runs.
    const onStack = [
      'name: on-starter-stack',
      'version: v1beta',
      'type: worker',
      'worker:',
      '  stack: starter-stack:1.0',
      '  compute: starter-compute',
      '  stackSpec:',
      '    code: "console.log(\'ran from the stack starter\'); setInterval(() => {}, 1000)"',
      '',
    ].join('\n')
    expect((await apply(onStack, true)).stdout).toMatch(/ready: 1\/1 replicas ready\n$/)
    await waitFor(
      'the stack starter’s program',
      async () =>
        (await run(['log', '-n', 'on-starter-stack'])).stdout.includes('] ran from the stack starter') || undefined,
    )
    for (const name of ['starter-worker', 'on-starter-stack'])
      expect((await run(['delete', '-t', 'worker', '-n', name])).code).toBe(0)
    // Two waits of DROVER_MIN_READY_MS (3 s) and a dozen CLI runs: ~10 s here, over 20 s under
    // a stress run's load (which hit the default timeout).
  }, 60_000)

  it('delete stops the replicas; server stop --stop-workers stops the rest', async () => {
    const replicaOf = (name: string) =>
      processesWith(TEST_HOME).filter((p) => p.cmdline.includes('drover-replica') && p.cmdline.includes(`/${name}/`))
    expect(replicaWrappers(TEST_HOME).filter((p) => p.cmdline.includes('/hello-worker/'))).toHaveLength(1)
    expect((await run(['delete', '-t', 'worker', '-n', 'hello-worker'])).stdout).toBe(
      'hello-worker:v1beta:worker (public): deleted\n',
    )
    await waitFor('hello-worker stopped', () => replicaOf('hello-worker').length === 0 || undefined)
    expect(replicaOf('slow').length + replicaOf('looper').length).toBeGreaterThan(0)
    expect((await run(['server', 'stop', '--stop-workers'])).code).toBe(0)
    expect(processesWith(TEST_HOME).filter((p) => p.cmdline.includes('drover-replica'))).toEqual([])
  })
})
