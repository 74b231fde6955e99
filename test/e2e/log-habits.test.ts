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

describe('log times', () => {
  // Readiness after 3 s: a new revision that exits at once can never pass for ready, however
  // loaded the machine, so its rollout stays blocked with the old replicas running.
  const home = tempDir('log-times')
  let server: ServerProcess
  let env: Record<string, string>
  beforeAll(async () => {
    server = await startServerProcess({home, env: {...FAST, DROVER_MIN_READY_MS: '3000'}})
    env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
  })
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })
  const log = async (...args: string[]) => {
    const r = await runCli(['log', '-n', 'clock', ...args], {env})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    return r.stdout.trimEnd().split('\n')
  }
  // Replica i writes line n at a start time they share (2.5 s after the apply) + n × 400 + i × 100 ms,
  // then idles: the replicas' lines overlap in time whatever the order and the delay in which the
  // replicas start (under load one started 400 ms after another, and its lines came after all of
  // the first's).
  const clock = (version: string, extra = '') => {
    const start = Date.now() + 2500
    return nodeWorker(
      'clock',
      `const i = Number(process.env.DROVER_REPLICA)
       for (let n = 1; n <= 4; n++) setTimeout(() => console.log(\`${version} r\${i} line \${n}\`), Math.max(0, ${start} - Date.now()) + n * 400 + i * 100)
       setInterval(() => {}, 1000)${extra}`,
      {replicas: 3},
    )
  }

  it('stores every line with its time, and interleaves the replicas by it', async () => {
    expect((await apply(server, clock('v1'))).status).toBe(200)
    const stamped = await waitFor('12 lines', async () => {
      const lines = await log('--timestamps')
      return lines.length === 12 ? lines : undefined
    })
    const parsed = stamped.map((l) => {
      const m = /^\[clock-[0-9a-f]{8}-(\d)\] (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (v1 r(\d) line \d)$/.exec(l)
      expect(m, l).not.toBeNull()
      expect(m![1]).toBe(m![4]) // the line is its replica's
      return {replica: m![1]!, time: m![2]!, text: m![3]!}
    })
    expect(parsed.map((p) => p.time)).toEqual(parsed.map((p) => p.time).sort())
    // Interleaved, not one replica after another: replica 0's last line comes after replica 2's first.
    const index = (text: string) => parsed.findIndex((p) => p.text === text)
    expect(index('v1 r0 line 4')).toBeGreaterThan(index('v1 r2 line 1'))
    // Without --timestamps: the same lines in the same order, without the times.
    expect(await log()).toEqual(stamped.map((l) => l.replace(/^(\[\S+\]) \S+Z /, '$1 ')))
    // --since: the lines at or after a time (here the 7th line's), and with JSON their time.
    const since = parsed[6]!.time
    expect(await log('--since', since, '--timestamps')).toEqual(stamped.filter((_, i) => parsed[i]!.time >= since))
    expect(await log('--since', '1h')).toHaveLength(12)
    const json = (await log('--output', 'json', '-l', '1')).map((l) => JSON.parse(l))
    expect(json).toHaveLength(3)
    for (const entry of json) {
      expect(entry).toEqual({
        replica: expect.stringMatching(/^clock-/),
        time: expect.any(String),
        message: expect.any(String),
      })
      expect(parsed.find((p) => p.text === entry.message)?.time).toBe(entry.time)
    }
    const bad = await runCli(['log', '-n', 'clock', '--since', 'last tuesday'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--since "last tuesday": a duration (30s, 10m, 2h) or an RFC 3339 time')
  })

  it('shows the current revision’s replicas; --all-revisions also the older ones still running', async () => {
    // Ready (3 s), then a revision that cannot start: its rollout stays blocked, the old replicas run.
    await waitFor('3 ready', async () => {
      const view = JSON.parse((await runCli(['get', 'runtime', '-n', 'clock', '--output', 'json'], {env})).stdout)
      return view.status.readyReplicas === 3 || undefined
    })
    expect((await apply(server, clock('v2', '; console.log("v2 gives up"); process.exit(1)'))).status).toBe(200)
    await waitFor('the new revision crash-looping beside the old one', async () => {
      const view = JSON.parse((await runCli(['get', 'runtime', '-n', 'clock', '--output', 'json'], {env})).stdout)
      const revisions = new Set(view.replicas.map((r: {revision: string}) => r.revision))
      return view.replicas.some((r: {restarts: number}) => r.restarts >= 1) && revisions.size === 2 ? true : undefined
    })
    const current = await runCli(['log', '-n', 'clock', '--previous'], {env})
    expect(current.stdout).toContain('v2 gives up')
    expect(current.stdout).not.toContain('v1 r')
    const all = await runCli(['log', '-n', 'clock', '--all-revisions'], {env})
    expect(all.stdout).toContain('] v1 r0 line 4')
    expect(all.stdout).toContain('] v1 r2 line 4')
  })
})
