// log through the built CLI against a real control plane: a replica that does not exist is
// exit 3, a replica waiting to restart is pointed at --previous, and -f ends when its worker goes.
import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, nodeWorker} from '../helpers/api.js'
import {NODE, ROOT, RUN_JS, cliEnv, runCli} from '../helpers/run-cli.js'
import {FAST, type ServerProcess, killReplicasUnder, startServerProcess, tempDir} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

describe('log habits', () => {
  const home = tempDir('log-habits')
  let server: ServerProcess
  let env: Record<string, string>
  beforeAll(async () => {
    // A replica that exits waits 10 s before its restart: long enough to be seen waiting.
    server = await startServerProcess({
      home,
      env: {...FAST, DROVER_RESTART_INITIAL_BACKOFF_MS: '10000', DROVER_RESTART_MAX_BACKOFF_MS: '10000'},
    })
    env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
    expect((await runCli(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'], {env})).code).toBe(0)
  })
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('exits 3 for a replica the worker does not have, followed or not', async () => {
    for (const follow of [[], ['-f']]) {
      const r = await runCli(['log', '-n', 'hello-worker', '--replica', '5', ...follow], {env})
      expect(r.code).toBe(3)
      expect(r.stderr).toContain('worker hello-worker has no replica 5 (it has 0)')
    }
  })

  it('says when a replica is waiting to restart, and where its last run’s lines are', async () => {
    expect((await apply(server, nodeWorker('once', 'console.log("did my work"); process.exit(3)'))).status).toBe(200)
    await waitFor('the replica waiting', async () => {
      const view = JSON.parse((await runCli(['get', 'runtime', '-n', 'once', '--output', 'json'], {env})).stdout)
      return view.replicas?.[0]?.phase === 'Waiting' || undefined
    })
    const r = await runCli(['log', '-n', 'once'], {env})
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(
      /^drover: replica once-[0-9a-f]{8}-0 is waiting to restart \(last exit: code 3 Error; restarts in \d+s\); its last run's lines: drover log -n once --replica 0 --previous\n$/,
    )
    const previous = await runCli(['log', '-n', 'once', '--replica', '0', '--previous'], {env})
    expect(previous.stdout).toMatch(/\] did my work\n$/)
    expect(previous.stderr).toBe('')
  })

  it('-f ends when its worker is deleted, and says so', async () => {
    const child = spawn(NODE, [RUN_JS, 'log', '-n', 'hello-worker', '-f', '-l', '1'], {
      cwd: ROOT,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    try {
      await waitFor('a line', () => out || undefined)
      expect((await runCli(['delete', '-t', 'worker', '-n', 'hello-worker'], {env})).code).toBe(0)
      expect(await exited).toBe(0)
      expect(err).toBe('drover: the log ended: the worker was deleted, or the control plane stopped\n')
    } finally {
      child.kill('SIGKILL')
    }
  })
})
