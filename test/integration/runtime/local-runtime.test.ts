// The local runtime with real processes and millisecond policies.
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {LocalRuntime, type LocalRuntimeOptions} from '../../../src/runtime/local/local-runtime.js'
import type {DesiredWorkload, ProcessSpec, RuntimeEvent, WorkloadKey} from '../../../src/runtime/runtime.js'
import {ROOT} from '../../helpers/run-cli.js'
import {pgidOf, processesWith, replicaWrappers} from '../../helpers/procs.js'
import {fastRuntimeOptions} from '../../helpers/runtime.js'
import {tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const programs = join(ROOT, 'test/fixtures/programs')
const home = tempDir('runtime')
const events: RuntimeEvent[] = []
const runtimes: LocalRuntime[] = []

function runtime(overrides: Partial<LocalRuntimeOptions> = {}): LocalRuntime {
  const r = new LocalRuntime(fastRuntimeOptions(home, {onEvent: (e) => events.push(e), ...overrides}))
  runtimes.push(r)
  return r
}

let n = 0
function desired(
  program: string,
  options: {
    replicas?: number
    revision?: string
    env?: Record<string, string>
    limits?: ProcessSpec['resources']['limits']
    name?: string
  } = {},
): DesiredWorkload {
  const name = options.name ?? `w${n}`
  return {
    key: {workspace: 'test', name},
    uid: `uid-${name}`,
    resourceId: `worker:v1beta:${name}:test`,
    revision: options.revision ?? 'rev1',
    replicas: options.replicas ?? 1,
    spec: {
      command: ['{{.Node}}', join(programs, program)],
      context: {Node: process.execPath},
      env: options.env ?? {},
      configFiles: {'jobconfig.yaml': 'x: 1\n'},
      secretFiles: {},
      volumes: [],
      resources: {requests: {}, limits: options.limits ?? {}},
      logLevel: 'INFO',
    },
  }
}

/** Alive and not a zombie (a killed process can wait a while for its reaper). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z'
  } catch {
    return false
  }
}

const lines = async (rt: LocalRuntime, key: WorkloadKey, previous = false) => {
  const out: string[] = []
  await rt.logs(key, {tailLines: 1000, previous, follow: false}, (l) => out.push(`${l.replica}: ${l.line}`))
  return out
}

afterEach(async () => {
  for (const rt of runtimes.splice(0)) {
    for (const key of rt.keys()) await rt.remove(key)
    await rt.close()
  }
  n++
})

afterAll(async () => {
  // No replica outlives the tests: nothing of this test's folders in /proc.
  await waitFor('no process left', () => processesWith(home).length === 0 || undefined, 5000)
})

describe('LocalRuntime', () => {
  it('runs each replica in its own process group, with its environment and files', async () => {
    const rt = runtime()
    const d = desired('print-env.mjs', {replicas: 2, env: {PRINT: 'GREETING', GREETING: 'hi'}})
    await rt.sync(d)
    const observed = await waitFor('two running replicas with pids', () => {
      const o = rt.observe(d.key)!
      return o.replicas.length === 2 && o.replicas.every((r) => r.phase === 'Running' && r.pid) ? o : undefined
    })
    const pids = observed.replicas.map((r) => r.pid!)
    expect(new Set(pids.map(pgidOf)).size).toBe(2)
    expect(pids.map(pgidOf)).not.toContain(pgidOf(process.pid))
    const out = await waitFor('the program printed its cwd', async () => {
      const l = await lines(rt, d.key)
      return l.filter((x) => x.includes(' cwd ')).length === 2 ? l : undefined
    })
    const first = out
      .filter((l) => l.startsWith(`${d.key.name}-rev1-0: `))
      .map((l) => l.slice(`${d.key.name}-rev1-0: `.length))
    expect(first).toEqual(
      expect.arrayContaining([
        'env DROVER_REPLICA=0',
        `env DROVER_RESOURCE_ID=worker:v1beta:${d.key.name}:test`,
        `env DROVER_WORKER=${d.key.name}`,
        'env DROVER_WORKSPACE=test',
        'env GREETING=hi',
        'env LOG_LEVEL=INFO',
        'config jobconfig.yaml: "x: 1\\n"',
      ]),
    )
    expect(first.some((l) => l.startsWith('env DROVER_CGROUP_PROCS'))).toBe(false)
  })

  it('restarts a crashed replica after a back-off, and keeps the previous instance’s log', async () => {
    const rt = runtime()
    const d = desired('crash-once.mjs')
    await rt.sync(d)
    const replica = await waitFor('a restart', () =>
      rt.observe(d.key)!.replicas.find((r) => r.restarts === 1 && r.phase === 'Running'),
    )
    expect(replica.lastExit).toMatchObject({code: 1, signal: null, reason: 'Error'})
    expect(await lines(rt, d.key, true)).toEqual([`${d.key.name}-rev1-0: crashing on purpose`])
    await waitFor(
      'its new log',
      async () => (await lines(rt, d.key)).includes(`${d.key.name}-rev1-0: running after one crash`) || undefined,
    )
    const exited = events.find((e) => e.key.name === d.key.name && e.reason === 'Exited')!
    expect(exited.message).toMatch(/^w\d+-rev1-0: exited: exit code 1 \(Error\); restarting in \d+ ms$/)
  })

  it('backs off exponentially and reports CrashLooping, but keeps trying', async () => {
    const rt = runtime()
    const d = desired('exit-immediately.mjs')
    const started = Date.now()
    await rt.sync(d)
    const replica = await waitFor(
      'crash looping',
      () => rt.observe(d.key)!.replicas.find((r) => r.crashLooping && r.restarts >= 4),
      15_000,
    )
    // 4 back-offs of at least 20, 40, 80, 100 ms (equal jitter: half to all of 40, 80, 160, 200).
    expect(Date.now() - started).toBeGreaterThanOrEqual(240)
    expect(replica.lastExit).toMatchObject({code: 3, reason: 'Error'})
    expect(events.filter((e) => e.key.name === d.key.name && e.reason === 'CrashLooping')).toHaveLength(1)
    await waitFor(
      'another restart after crash-looping',
      () => rt.observe(d.key)!.replicas.find((r) => r.restarts >= 6),
      15_000,
    )
  })

  it('stops gracefully with SIGTERM, and kills what ignores it after the grace period', async () => {
    const rt = runtime()
    const polite = desired('heartbeat.mjs', {name: `polite${n}`})
    const deaf = desired('ignore-sigterm.mjs', {name: `deaf${n}`})
    await rt.sync(polite)
    await rt.sync(deaf)
    const [p1, p2] = await Promise.all(
      [polite, deaf].map((d) =>
        waitFor('running', () => rt.observe(d.key)!.replicas.find((r) => r.pid && r.phase === 'Running')?.pid),
      ),
    )
    await waitFor(
      'deaf has its handler',
      async () => (await lines(rt, deaf.key)).some((l) => l.includes('deaf to SIGTERM')) || undefined,
    )
    await rt.remove(polite.key)
    const t1 = Date.now()
    await rt.remove(deaf.key)
    expect(Date.now() - t1).toBeGreaterThanOrEqual(400)
    expect(alive(p1!)).toBe(false)
    expect(alive(p2!)).toBe(false)
    expect(events.filter((e) => e.key.name === polite.key.name).map((e) => e.reason)).toEqual(['Started', 'Stopped'])
    expect(events.filter((e) => e.key.name === deaf.key.name).map((e) => e.reason)).toEqual([
      'Started',
      'Killed',
      'Stopped',
    ])
  })

  it('rolls a new revision in one replica at a time, stopping an old one per ready new one', async () => {
    const rt = runtime()
    const v1 = desired('heartbeat.mjs', {replicas: 2})
    await rt.sync(v1)
    await waitFor('v1 ready', () => rt.observe(v1.key)!.replicas.filter((r) => r.ready).length === 2 || undefined)
    const v2 = {...v1, revision: 'rev2'}
    let o = await rt.sync(v2)
    expect(o.replicas.map((r) => `${r.id}:${r.phase}`)).toEqual(['rev2-0:Running', 'rev1-0:Running', 'rev1-1:Running'])
    // Level-based: sync again until it converges, as the scheduler does.
    o = await waitFor('rolled out', async () => {
      const x = await rt.sync(v2)
      return x.replicas.length === 2 && x.replicas.every((r) => r.revision === 'rev2' && r.ready) ? x : undefined
    })
    expect(o.replicas.map((r) => r.id)).toEqual(['rev2-0', 'rev2-1'])
  })

  it('leaves the old replicas running when the new revision crash-loops', async () => {
    // Ready means "ran minReadyMs": with 150 ms, a program that exits at once can take longer to
    // start on a loaded machine, count as ready and legitimately replace an old replica. 3 s is a
    // margin no load here reaches, so the outcome no longer depends on the machine.
    const rt = runtime({minReadyMs: 3000})
    const v1 = desired('heartbeat.mjs', {replicas: 2})
    await rt.sync(v1)
    await waitFor('v1 ready', () => rt.observe(v1.key)!.replicas.filter((r) => r.ready).length === 2 || undefined)
    const bad: DesiredWorkload = {
      ...v1,
      revision: 'rev2',
      spec: {...v1.spec, command: ['{{.Node}}', join(programs, 'exit-immediately.mjs')]},
    }
    const o = await waitFor(
      'rollout blocked',
      async () => {
        const x = await rt.sync(bad)
        return x.rolloutBlocked ? x : undefined
      },
      15_000,
    )
    expect(o.replicas.filter((r) => r.revision === 'rev1' && r.phase === 'Running')).toHaveLength(2)
    expect(o.replicas.filter((r) => r.revision === 'rev2')).toHaveLength(1)
  }, 30_000)

  it('reports an OOM kill when a replica goes over its memory limit', async () => {
    const rt = runtime()
    const d = desired('allocate-memory.mjs', {env: {ALLOCATE_MB: '300'}, limits: {memory: 120 * 1024 * 1024}})
    await rt.sync(d)
    const replica = await waitFor(
      'an OOM kill',
      () => rt.observe(d.key)!.replicas.find((r) => r.lastExit?.reason === 'OOMKilled'),
      15_000,
    )
    expect(replica.lastExit!.signal).toBe('SIGKILL')
    expect(events.some((e) => e.key.name === d.key.name && e.reason === 'OOMKilled')).toBe(true)
  })

  it('enforces memory limits with a watchdog where cgroups are not available', async () => {
    const rt = runtime({cgroups: 'off'})
    expect(rt.limits()).toMatchObject({memory: 'watchdog', cpu: 'none'})
    const d = desired('allocate-memory.mjs', {
      env: {ALLOCATE_MB: '300', ALLOCATE_STEP_MS: '20'},
      limits: {memory: 120 * 1024 * 1024},
    })
    await rt.sync(d)
    const replica = await waitFor(
      'an OOM kill',
      () => rt.observe(d.key)!.replicas.find((r) => r.lastExit?.reason === 'OOMKilled'),
      15_000,
    )
    expect(replica.lastExit!.signal).toBe('SIGKILL')
    const message = events.find((e) => e.key.name === d.key.name && e.reason === 'OOMKilled')!.message
    expect(message).toMatch(/over its memory limit of 120 MiB; killed by the memory watchdog$/)
    // Killed over its limit and long before it holds its 300 MB (18 more steps of 20 ms). How
    // close to the limit depends on the sampling period and the machine's load: a benchmark's
    // question, not a test's (a 132 MiB bound failed under a loaded CI at 133).
    const used = Number(/using (\d+) MiB/.exec(message)![1]) // rounded: just over 120 MiB reads 120
    expect(used).toBeGreaterThanOrEqual(120)
    expect(used).toBeLessThan(250)
  })

  it('kills, through the cgroup, a process that escaped the replica’s group and environment', async (context) => {
    const rt = runtime()
    if (rt.limits().memory === 'watchdog') {
      console.warn('SKIPPED: no writable cgroup on this machine; the escape test needs one (run as root)')
      context.skip()
    }
    const d = desired('escape.mjs')
    await rt.sync(d)
    const dir = join(home, 'runtime', d.key.workspace, d.key.name, d.uid)
    const log = () => {
      try {
        return readFileSync(join(dir, readdirSync(dir)[0]!, 'logs', 'current.log'), 'utf8')
      } catch {
        return undefined
      }
    }
    const pid = Number(await waitFor('the escaped pid', () => /escaped (\d+)/.exec(log() ?? '')?.[1]))
    const replica = rt.observe(d.key)!.replicas[0]!
    // The pid is env's until it has exec'd sleep with the emptied environment.
    await waitFor('env to exec sleep', () => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep' || undefined)
    // It did escape: another process group, and no marker in its environment.
    expect(pgidOf(pid)).not.toBe(pgidOf(replica.pid!))
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toBe('')
    await rt.remove(d.key)
    await waitFor('the escaped process killed', () => !alive(pid) || undefined)
  })

  it('never takes a reused pid for a replica: a record pointing at a live unrelated process is not adopted, nor is it killed', async () => {
    const first = runtime()
    const d = desired('heartbeat.mjs')
    await first.sync(d)
    const [replica] = await waitFor('running', () => {
      const r = first.observe(d.key)!.replicas
      return r[0]?.pid && r[0].phase === 'Running' ? r : undefined
    })
    await first.close()
    runtimes.splice(runtimes.indexOf(first), 1)
    // The replica dies while no runtime watches, and an unrelated process gets a pid that the
    // record now names (as if the kernel had reused it): the record is rewritten to say so.
    const dir = join(home, 'runtime', d.key.workspace, d.key.name, d.uid)
    const folder = join(dir, readdirSync(dir)[0]!)
    const record = JSON.parse(readFileSync(join(folder, 'replica.json'), 'utf8')) as {wrapperPid: number}
    process.kill(-record.wrapperPid, 'SIGKILL')
    await waitFor('the replica gone', () => !alive(replica!.pid!) || undefined)
    const unrelated = spawn('sleep', ['1000'], {stdio: 'ignore'})
    try {
      writeFileSync(join(folder, 'replica.json'), JSON.stringify({...record, wrapperPid: unrelated.pid}))
      const second = runtime()
      await second.adopt()
      await second.sync(d)
      const restarted = await waitFor('a new replica', () =>
        second.observe(d.key)!.replicas.find((r) => r.phase === 'Running' && r.pid && r.pid !== unrelated.pid),
      )
      expect(restarted.pid).not.toBe(replica!.pid)
      expect(events.filter((e) => e.key.name === d.key.name && e.reason === 'Adopted')).toEqual([])
      expect(alive(unrelated.pid!)).toBe(true)
    } finally {
      unrelated.kill('SIGKILL')
    }
  })

  it('is adopted by the next runtime: same processes, no duplicates; a replica that died meanwhile is restarted', async () => {
    const first = runtime()
    const d = desired('heartbeat.mjs', {replicas: 2})
    await first.sync(d)
    const pids = (
      await waitFor('two pids', () => {
        const r = first.observe(d.key)!.replicas
        return r.every((x) => x.pid && x.phase === 'Running') && r.length === 2 ? r : undefined
      })
    ).map((r) => r.pid!)
    await first.close() // the control plane goes away; its replicas do not
    runtimes.splice(runtimes.indexOf(first), 1)
    process.kill(pids[1]!, 'SIGKILL') // one dies while nobody watches
    await waitFor('replica 1 gone', () => !alive(pids[1]!) || undefined)
    const second = runtime()
    expect(await second.adopt()).toEqual([d.key])
    const o = await second.sync(d)
    expect(o.replicas.find((r) => r.index === 0)!.pid).toBe(pids[0])
    const restarted = await waitFor('replica 1 restarted', () =>
      second.observe(d.key)!.replicas.find((r) => r.index === 1 && r.phase === 'Running' && r.pid && r.pid !== pids[1]),
    )
    expect(restarted.lastExit).toMatchObject({reason: 'Killed', signal: 'SIGKILL'})
    // Exactly two replicas: two wrappers for this worker, and one program in each one's group.
    const wrappers = replicaWrappers(join(home, 'runtime', d.key.workspace, d.key.name))
    expect(wrappers).toHaveLength(2)
    // The runtime knows the restarted program's pid as soon as it is forked; it is Node (not the
    // shell, setpriv or unshare it starts as) a moment later: wait for both programs to be Node,
    // then there must be exactly two (a duplicate would run on and be counted).
    const programsOf = () =>
      processesWith(join(programs, 'heartbeat.mjs')).filter(
        (p) => p.cmdline.startsWith(process.execPath) && wrappers.some((w) => pgidOf(p.pid) === w.pid),
      )
    await waitFor('both programs running Node', () => (programsOf().length >= 2 ? true : undefined))
    expect(programsOf()).toHaveLength(2)
    expect(second.observe(d.key)!.replicas).toHaveLength(2)
  })

  it('rotates logs by size, keeping the previous instances', async () => {
    const rt = runtime({logs: {maxBytes: 300, rotatedFiles: 1, previousInstances: 1, checkMs: 50}})
    const d = desired('heartbeat.mjs')
    await rt.sync(d)
    const dir = join(home, 'runtime', 'test', d.key.name, d.uid, 'rev1-0', 'logs')
    await waitFor('a rotated file', () => existsSync(join(dir, 'current.log.1')) || undefined, 15_000)
    expect(readFileSync(join(dir, 'current.log.1'), 'utf8')).toMatch(/heartbeat \d+\n$/)
  })

  it('starts nothing for zero replicas and says why a program cannot start', async () => {
    const rt = runtime()
    const none = desired('heartbeat.mjs', {replicas: 0, name: `zero${n}`})
    expect((await rt.sync(none)).replicas).toEqual([])
    const missing: DesiredWorkload = {
      ...desired('heartbeat.mjs', {name: `missing${n}`}),
      spec: {...none.spec, command: ['/nonexistent/program']},
    }
    await rt.sync(missing)
    const replica = await waitFor('an exit', () => rt.observe(missing.key)!.replicas.find((r) => r.lastExit))
    expect(replica).toMatchObject({
      lastExit: {code: 127, reason: 'Error'},
      message: 'the program was not found (exit code 127)',
    })
    writeFileSync(join(home, 'unused'), '')
  })
})
