// Workers run by the real control plane process, with millisecond policies: the scheduler,
// the local runtime and the autoscaler end to end, checked through the HTTP API and /proc.
import {existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, onTestFailed} from 'vitest'
import type {RuntimeView} from '../../../src/api/types.js'
import {ROOT} from '../../helpers/run-cli.js'
import {pgidOf, processesWith, replicaWrappers} from '../../helpers/procs.js'
import {FAST, type ServerProcess, killReplicasUnder, startServerProcess, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const programs = join(ROOT, 'test/fixtures/programs')
const home = tempDir('scheduler')

type Runtime = RuntimeView

let server: ServerProcess

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{status: number; body: T; text: string}> {
  const r = await fetch(new URL(path, server.url), {
    method,
    headers: {authorization: `Bearer ${server.adminKey}`, ...(body ? {'content-type': 'application/json'} : {})},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return {status: r.status, body: parsed as T, text}
}

function worker(name: string, section: Record<string, unknown>, program = 'heartbeat.mjs') {
  return {
    manifest: {
      name,
      version: 'v1beta',
      type: 'worker',
      worker: {stack: 'node', compute: 'runnable-default', stackSpec: {script: join(programs, program)}, ...section},
    },
  }
}

const apply = async (body: unknown) => {
  const r = await api('POST', '/api/v1/apply', body)
  expect(r.status, r.text).toBe(200)
  return r.body
}
const runtime = async (name: string) => (await api<Runtime>('GET', `/api/v1/resources/worker/${name}/runtime`)).body
const events = async (name: string) =>
  (await api<{items: {reason: string; message: string}[]}>('GET', `/api/v1/resources/worker/${name}/events`)).body.items
const logs = async (name: string, query = '') =>
  (await api('GET', `/api/v1/resources/worker/${name}/logs?tailLines=-1${query}`)).text

/** Live processes of this control plane's replicas (wrapper and program), from /proc. */
const replicaProcesses = () => processesWith(join(home, 'server'))

/** Every replica's current.log under a worker's runtime folder. */
function currentLogsUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('current.log'))
    .map((f) => join(dir, f))
}

beforeAll(async () => {
  // LEAK_CANARY (and everything else in the test runner's environment) must not reach a replica.
  server = await startServerProcess({home: join(home, 'server'), env: {...FAST, ...SERVER_ENV}})
})

const SERVER_ENV = {LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', LEAK_CANARY: 'leaked'}

afterAll(async () => {
  await server?.kill()
  killReplicasUnder(home)
  await waitFor('no replica left in /proc', () => replicaProcesses().length === 0 || undefined, 5000)
})

describe('the scheduler and the local runtime', () => {
  it('starts the replicas of an applied worker, each in its own process group, with its environment and files', async () => {
    await apply(
      worker(
        'env',
        {replicas: 2, envs: {GREETING: 'hi', COUNT: 3}, configs: {'app.properties': 'a=1\n'}, logLevel: 'DEBUG'},
        'print-env.mjs',
      ),
    )
    const rt = await waitFor('2 ready replicas', async () => {
      const r = await runtime('env')
      return r.status.phase === 'Running' && r.status.readyReplicas === 2 ? r : undefined
    })
    expect(rt.replicas.map((r) => r.name)).toEqual([`env-${rt.revision}-0`, `env-${rt.revision}-1`])
    const pids = rt.replicas.map((r) => r.pid!)
    expect(new Set(pids.map(pgidOf)).size).toBe(2)
    expect(pids.map(pgidOf)).not.toContain(pgidOf(server.pid))
    const text = await waitFor('the env printed', async () => {
      const t = await logs('env', '&replica=1')
      return t.includes(' cwd ') ? t : undefined
    })
    const prefix = `[env-${rt.revision}-1] `
    expect(
      text
        .split('\n')
        .filter((l) => l.startsWith(prefix))
        .map((l) => l.slice(prefix.length)),
    ).toEqual(
      expect.arrayContaining([
        'env DROVER_REPLICA=1',
        'env DROVER_RESOURCE_ID=worker:v1beta:env:public',
        'env DROVER_WORKER=env',
        'env DROVER_WORKSPACE=public',
        'env LOG_LEVEL=DEBUG',
        `env DROVER_REVISION=${rt.revision}`,
        'config app.properties: "a=1\\n"',
        `config jobconfig.yaml: ${JSON.stringify(`script: ${join(programs, 'print-env.mjs')}\n`)}`,
      ]),
    )
    // From the control plane's environment only PATH, HOME, USER, LANG, LC_ALL and TZ pass (HOME
    // and USER are the replica's own under uid isolation); the rest is drover's and the worker's,
    // and PWD, which the replica's shell wrapper sets to the replica's own working directory.
    const keys = /keys (.*)/.exec(text.split('\n').find((l) => l.startsWith(`${prefix}keys `))!)![1]!.split(',')
    const own = new Set(['LOG_LEVEL', 'GREETING', 'COUNT', 'PWD'])
    const passed = keys.filter((k) => !k.startsWith('DROVER_') && !own.has(k))
    expect(passed.filter((k) => k !== 'HOME' && k !== 'USER')).toEqual(['LANG', 'LC_ALL', 'PATH', 'TZ'])
    expect(passed.every((k) => ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ'].includes(k))).toBe(true)
    expect(keys).toEqual(expect.arrayContaining(['GREETING', 'COUNT', 'LOG_LEVEL']))
    expect(keys).not.toContain('LEAK_CANARY')
  })

  it('never starts a dryRun worker', async () => {
    await apply(worker('dry', {replicas: 3, dryRun: true}))
    const rt = await waitFor('DryRun', async () => {
      const r = await runtime('dry')
      return r.status.phase === 'DryRun' ? r : undefined
    })
    expect(rt.replicas).toEqual([])
  })

  it('restarts a crashed replica with back-off, and keeps the previous instance’s log', async () => {
    await apply(worker('crash-once', {}, 'crash-once.mjs'))
    const replica = await waitFor('one restart', async () =>
      (await runtime('crash-once')).replicas.find((r) => r.restarts === 1 && r.phase === 'Running'),
    )
    expect(replica.lastExit).toMatchObject({code: 1, signal: null, reason: 'Error'})
    expect(await logs('crash-once', '&previous=true')).toBe(`[${replica.name}] crashing on purpose\n`)
    expect((await events('crash-once')).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Applied', 'Started', 'Exited']),
    )
  })

  it('marks a worker whose replicas keep exiting CrashLooping, and keeps retrying', async () => {
    await apply(worker('looping', {}, 'exit-immediately.mjs'))
    const rt = await waitFor('CrashLooping', async () => {
      const r = await runtime('looping')
      return r.status.phase === 'CrashLooping' ? r : undefined
    })
    expect(rt.status.conditions!.find((c) => c.type === 'CrashLooping')).toMatchObject({
      status: 'True',
      reason: 'CrashLoopBackOff',
    })
    expect(rt.replicas[0]!.lastExit).toMatchObject({code: 3, reason: 'Error'})
    const restarts = rt.replicas[0]!.restarts
    await waitFor(
      'another restart',
      async () => (await runtime('looping')).replicas[0]!.restarts > restarts || undefined,
    )
    expect(await api('GET', '/api/v1/resources?type=worker&name=looping')).toMatchObject({
      body: {items: [{status: {phase: 'CrashLooping'}}]},
    })
  })

  it('rolls out a new revision one replica at a time', async () => {
    await apply(worker('rolling', {replicas: 2}))
    const v1 = await waitFor('v1 ready', async () => {
      const r = await runtime('rolling')
      return r.status.phase === 'Running' && r.status.readyReplicas === 2 ? r : undefined
    })
    await apply(worker('rolling', {replicas: 2, envs: {VERSION: '2'}}))
    const v2 = await waitFor('v2 rolled out', async () => {
      const r = await runtime('rolling')
      return r.revision !== v1.revision &&
        r.status.phase === 'Running' &&
        r.replicas.length === 2 &&
        r.replicas.every((x) => x.revision === r.revision)
        ? r
        : undefined
    })
    const order = (await events('rolling'))
      .filter((e) => e.reason === 'Stopped' || e.reason === 'Started')
      .map((e) => `${e.reason} ${e.message.split(':')[0]}`)
    expect(order.slice(0, 2)).toEqual([`Started rolling-${v1.revision}-0`, `Started rolling-${v1.revision}-1`])
    expect(order.slice(2).sort()).toEqual(
      [
        `Started rolling-${v2.revision}-0`,
        `Started rolling-${v2.revision}-1`,
        `Stopped rolling-${v1.revision}-0`,
        `Stopped rolling-${v1.revision}-1`,
      ].sort(),
    )
    // Surge, not gap: no old replica is stopped before a new one for it has started.
    let started = 0
    let stopped = 0
    for (const e of order.slice(2)) {
      if (e.startsWith('Started')) started++
      else stopped++
      expect(stopped).toBeLessThanOrEqual(started)
    }
    expect(order[2]).toBe(`Started rolling-${v2.revision}-0`)
  })

  it('keeps the old replicas running when the new revision crash-loops', async () => {
    // A replica is ready once it has run minReadyMs. With FAST's 200 ms, a program that exits at
    // once can still take longer than that to start on a loaded machine, count as ready, and
    // legitimately replace an old replica: this scenario gets its own control plane with 3 s, a
    // margin no load here reaches.
    const own = await startServerProcess({home: join(home, 'guarded'), env: {...FAST, DROVER_MIN_READY_MS: '3000'}})
    try {
      const call = async <T>(method: string, path: string, body?: unknown) => {
        const r = await fetch(new URL(path, own.url), {
          method,
          headers: {authorization: `Bearer ${own.adminKey}`, ...(body ? {'content-type': 'application/json'} : {})},
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        expect(r.status).toBe(200)
        return (await r.json()) as T
      }
      const view = () => call<Runtime>('GET', '/api/v1/resources/worker/guarded/runtime')
      await call('POST', '/api/v1/apply', worker('guarded', {replicas: 2}))
      const v1 = await waitFor('v1 ready', async () => ((await view()).status.readyReplicas === 2 ? view() : undefined))
      await call('POST', '/api/v1/apply', worker('guarded', {replicas: 2}, 'exit-immediately.mjs'))
      const rt = await waitFor('rollout blocked', async () => {
        const r = await view()
        return r.status.conditions!.find((c) => c.type === 'Progressing' && c.reason === 'RolloutBlocked')
          ? r
          : undefined
      })
      expect(rt.replicas.filter((r) => r.revision === v1.revision && r.phase === 'Running')).toHaveLength(2)
      expect(rt.replicas.filter((r) => r.revision !== v1.revision)).toHaveLength(1)
      // What serves is counted: the old replicas run, the blocked rollout is a condition.
      expect(rt.status.phase).toBe('Running')
      expect(rt.status.readyReplicas).toBe(2)
      expect(rt.status.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({status: 'True'})
    } finally {
      await own.stop()
      killReplicasUnder(join(home, 'guarded')) // SIGTERM leaves replicas for the next control plane
    }
  })

  it('stops replicas on delete: SIGTERM first, SIGKILL after the grace period, nothing left behind', async () => {
    await apply(worker('deaf', {}, 'ignore-sigterm.mjs'))
    const replica = await waitFor('running', async () => (await runtime('deaf')).replicas.find((r) => r.ready))
    const pgid = pgidOf(replica.pid!)!
    await waitFor('its handler', async () => (await logs('deaf')).includes('deaf to SIGTERM') || undefined)
    expect((await api('DELETE', '/api/v1/resources/worker/deaf')).status).toBe(200)
    await waitFor(
      'the group gone',
      () => (processesWith('ignore-sigterm.mjs').every((p) => pgidOf(p.pid) !== pgid) ? true : undefined),
      5000,
    )
    expect(replicaProcesses().filter((p) => pgidOf(p.pid) === pgid)).toEqual([])
  })

  it('reports an OOM kill when a replica goes over its memory limit', async () => {
    await apply(
      worker('hungry', {envs: {ALLOCATE_MB: '300'}, resources: {limits: {memory: '100Mi'}}}, 'allocate-memory.mjs'),
    )
    const replica = await waitFor(
      'OOMKilled',
      async () => (await runtime('hungry')).replicas.find((r) => r.lastExit?.reason === 'OOMKilled'),
      15_000,
    )
    expect(replica.lastExit).toMatchObject({signal: 'SIGKILL', reason: 'OOMKilled'})
    expect((await events('hungry')).some((e) => e.reason === 'OOMKilled')).toBe(true)
    expect((await runtime('hungry')).limits).toEqual(
      expect.objectContaining({memory: expect.stringMatching(/^(cgroup-v[12]|watchdog)$/)}),
    )
  })

  it('hands secrets to the program without showing them in events, get output or the server log', async () => {
    await apply({
      manifest: {
        name: 'creds',
        version: 'v1',
        type: 'secret',
        secret: {type: 'key-value', data: {API_TOKEN: 'tok-9f8e7d'}},
      },
    })
    await apply(
      worker(
        'uses-secret',
        {dataosSecrets: [{name: 'creds'}, {name: 'creds', consumptionType: 'file'}], envs: {PRINT_LENGTH: 'API_TOKEN'}},
        'print-env.mjs',
      ),
    )
    await waitFor('running', async () => (await runtime('uses-secret')).status.phase === 'Running' || undefined)
    // The program got it, as an environment variable and as a 0600 file.
    const out = await waitFor('printed', async () => {
      const t = await logs('uses-secret')
      return t.includes(' cwd ') ? t : undefined
    })
    expect(out).toContain('] length API_TOKEN=10\n')
    expect(out).toContain('] secret file creds/API_TOKEN mode 600\n')
    const everything = [
      JSON.stringify(await events('uses-secret')),
      (await api('GET', '/api/v1/resources/worker/uses-secret')).text,
      (await api('GET', '/api/v1/resources/secret/creds')).text,
      (await api('GET', '/api/v1/resources/worker/uses-secret/runtime')).text,
      server.output(),
    ].join('\n')
    expect(everything).not.toContain('tok-9f8e7d')
  })

  it('is adopted after kill -9 of the control plane: same processes, no duplicates, the dead restarted', async () => {
    await apply(worker('survivor', {replicas: 2}))
    // Ready as the runtime sees it now (the stored status may lag behind a replica's restart).
    const before = await waitFor('2 ready', async () => {
      const r = await runtime('survivor')
      return r.replicas.length === 2 && r.replicas.every((x) => x.ready && x.pid) ? r : undefined
    })
    const pids = before.replicas.map((r) => r.pid!)
    await server.kill()
    // A failure here must not leave the tests after it without a control plane.
    onTestFailed(async () => {
      if (server.child.exitCode !== null || server.child.signalCode !== null)
        server = await startServerProcess({home: join(home, 'server'), env: FAST})
    })
    // The replicas keep running and logging without a control plane: the log grows.
    const gone = pids.filter((pid) => !existsSync(`/proc/${pid}`))
    expect(gone, `replicas gone with the control plane; they were ${JSON.stringify(before.replicas)}`).toEqual([])
    const logs = currentLogsUnder(join(home, 'server', 'data', 'runtime', 'public', 'survivor'))
    expect(logs).toHaveLength(2)
    const sizes = logs.map((f) => statSync(f).size)
    const down = new Date().toISOString()
    await waitFor('both logs grow with no control plane', () =>
      logs.every((f, i) => statSync(f).size > sizes[i]!) ? true : undefined,
    )
    // …and every line is stored with the time it was written (the log pump, not the control plane).
    for (const [i, f] of logs.entries()) {
      const written = readFileSync(f).subarray(sizes[i]).toString('utf8').trimEnd().split('\n')
      for (const line of written) {
        const time = /^(\S+Z) /.exec(line)?.[1]
        expect(time, line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        expect(time! >= down.slice(0, 19), line).toBe(true)
        expect(time! <= new Date().toISOString(), line).toBe(true)
      }
    }
    process.kill(pids[1]!, 'SIGKILL') // one dies while nobody watches
    server = await startServerProcess({home: join(home, 'server'), env: FAST})
    const after = await waitFor('2 ready again', async () => {
      const r = await runtime('survivor')
      return r.status.readyReplicas === 2 && r.replicas.length === 2 ? r : undefined
    })
    expect(after.replicas.find((r) => r.index === 0)!.pid).toBe(pids[0])
    expect(after.replicas.find((r) => r.index === 1)!.pid).not.toBe(pids[1])
    expect(after.replicas.find((r) => r.index === 1)!.lastExit).toMatchObject({signal: 'SIGKILL', reason: 'Killed'})
    const heartbeats = replicaWrappers(join(home, 'server')).filter(
      (p) => p.cmdline.includes('heartbeat.mjs') && p.cmdline.includes('/survivor/'),
    )
    expect(heartbeats).toHaveLength(2)
    expect((await events('survivor')).filter((e) => e.reason === 'Adopted')).toHaveLength(1)
  })

  it('keeps the scale-down window across a restart of the control plane', async () => {
    // A 2-minute window: once the load stops, the count is held, before and after the restart.
    const dir = join(home, 'window')
    const settings = {...FAST, DROVER_SCALE_DOWN_STABILIZATION_MS: '120000'}
    let own = await startServerProcess({home: dir, env: settings})
    const control = join(dir, 'burn')
    writeFileSync(control, 'burn')
    const call = async (path: string, body?: unknown) => {
      const r = await fetch(new URL(path, own.url), {
        method: body ? 'POST' : 'GET',
        headers: {authorization: `Bearer ${own.adminKey}`, ...(body ? {'content-type': 'application/json'} : {})},
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return (await r.json()) as Runtime
    }
    const status = async () => (await call('/api/v1/resources/worker/held/runtime')).status
    try {
      await call(
        '/api/v1/apply',
        worker(
          'held',
          {
            envs: {BURN_WHILE: control},
            autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 2, targetCPUUtilizationPercentage: 50},
            resources: {limits: {cpu: '200m'}},
          },
          'burn-cpu.mjs',
        ),
      )
      await waitFor(
        'scaled to 2, the window saved',
        async () => {
          const s = await status()
          const saved = (s.autoscaler as {recommendations?: unknown[]} | undefined)?.recommendations ?? []
          return s.desiredReplicas === 2 && saved.length > 0 ? true : undefined
        },
        20_000,
      )
      rmSync(control)
      // The load is gone once the window holds the count against a lower recommendation.
      await waitFor(
        'the window holding 2',
        async () =>
          (await status()).conditions?.some((c) => c.type === 'AbleToScale' && c.reason === 'ScaleDownStabilized') ||
          undefined,
        20_000,
      )
      await own.stop()
      const restarted = Date.now()
      own = await startServerProcess({home: dir, env: settings})
      // The first decision after the restart that recommends fewer (saved with the count it led
      // to; the ones before may still recommend 2, while the restarted replicas' CPU is not
      // measured yet): a fresh window would scale to 1 at once; the saved one holds 2.
      const after = await waitFor(
        'a lower recommendation after the restart',
        async () => {
          const s = await status()
          const saved =
            (s.autoscaler as {recommendations?: {at: number; replicas: number}[]} | undefined)?.recommendations ?? []
          return saved.some((r) => r.at > restarted && r.replicas < 2) ? s : undefined
        },
        20_000,
      )
      expect(after.desiredReplicas).toBe(2)
      expect(after.conditions!.find((c) => c.type === 'AbleToScale')).toMatchObject({reason: 'ScaleDownStabilized'})
    } finally {
      await own.stop()
      killReplicasUnder(dir)
    }
  })

  it('scales a CPU-burning worker up to max, and back to min once the load stops', async () => {
    const control = join(home, 'burn')
    writeFileSync(control, 'burn')
    const burner = {
      replicas: 1,
      envs: {BURN_WHILE: control},
      autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50},
      // No requests, as DataOS's own workers are written: the target is measured against the
      // control plane's default cpu request (100m).
      resources: {limits: {cpu: '200m'}},
    }
    await apply(worker('burner', burner, 'burn-cpu.mjs'))
    await waitFor(
      'scaled to 3',
      async () => (await runtime('burner')).status.desiredReplicas === 3 || undefined,
      20_000,
    )
    // The HPA's conditions say why: a metric was measured, and what bounds the count.
    const withConditions = await waitFor('the autoscaler’s conditions', async () => {
      const s = (await runtime('burner')).status
      return s.conditions?.some((c) => c.type === 'ScalingActive') ? s : undefined
    })
    expect(withConditions.conditions!.find((c) => c.type === 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
    })
    expect(withConditions.conditions!.map((c) => c.type)).toEqual(
      expect.arrayContaining(['AbleToScale', 'ScalingLimited']),
    )
    // One step (1 → 3, capped) or, when a loaded machine gives the burner less CPU, several:
    // each explained, each upward, from 1 to the cap.
    const up = (await events('burner'))
      .filter((e) => e.reason === 'Scaled')
      .map((e) => {
        // events come oldest first (the API's order); reversing them passed only with one step
        const m = /^scaled (\d+) → (\d+): cpu \d+ % of request, target 50 %(; capped at maxReplicas 3)?$/.exec(
          e.message,
        )
        expect(m, e.message).not.toBeNull()
        return {from: Number(m![1]), to: Number(m![2])}
      })
    expect(up[0]!.from).toBe(1)
    expect(up.every((step) => step.to > step.from)).toBe(true)
    expect(up.at(-1)!.to).toBe(3)

    // A later apply does not reset the live count the autoscaler owns (README): apply again with
    // a change that is not the processes' (a tag), and the reconcile of that generation keeps 3.
    const scaled = await waitFor('3 replicas started', async () => {
      const r = await runtime('burner')
      return r.replicas.length === 3 && r.replicas.every((x) => x.pid !== undefined) ? r : undefined
    })
    const reapplied = (await apply(worker('burner', {...burner, tags: ['reapplied']}, 'burn-cpu.mjs'))) as {
      resource: {metadata: {generation: number}}
    }
    const generation = reapplied.resource.metadata.generation
    expect(generation).toBe(2)
    const atNew = await waitFor('the new generation reconciled', async () => {
      const r = await runtime('burner')
      return r.status.observedGeneration === generation ? r : undefined
    })
    expect(atNew.status.desiredReplicas).toBe(3)
    expect(atNew.replicas.map((r) => r.pid).sort()).toEqual(scaled.replicas.map((r) => r.pid).sort())
    rmSync(control)
    await waitFor(
      'back to 1',
      async () => {
        const r = await runtime('burner')
        return r.status.desiredReplicas === 1 && r.replicas.length === 1 ? r : undefined
      },
      30_000,
    )
    expect((await events('burner')).filter((e) => e.reason === 'Scaled').at(-1)!.message).toMatch(
      /^scaled \d → 1: cpu \d+ % of request, target 50 %/,
    )
  }, 60_000)

  it('runs a custom stack, and enforces its stackSpec schema at apply', async () => {
    const stack = readFileSync(join(ROOT, 'examples/stack.yaml'), 'utf8')
    const {parse} = await import('yaml')
    expect((await api('POST', '/api/v1/apply', {manifest: parse(stack)})).status).toBe(200)
    const bad = await api<{details: {field: string; message: string}[]}>('POST', '/api/v1/apply', {
      manifest: {
        name: 'ticks',
        version: 'v1beta',
        type: 'worker',
        worker: {stack: 'ticker:1.0', compute: 'runnable-default', stackSpec: {msg: 'x'}},
      },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.details.map((d) => d.message)).toEqual([
      'worker.stackSpec.message: Required value (schema of stack ticker:1.0)',
      'worker.stackSpec.msg: Unknown field (schema of stack ticker:1.0)',
    ])
    await apply({
      manifest: {
        name: 'ticks',
        version: 'v1beta',
        type: 'worker',
        worker: {stack: 'ticker:1.0', compute: 'runnable-default', stackSpec: {message: 'tick tock'}},
      },
    })
    await waitFor(
      'the ticker prints its message',
      async () => (await logs('ticks')).includes('] message: tick tock') || undefined,
    )
  })
})
