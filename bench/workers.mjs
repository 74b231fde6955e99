// Scheduler and runtime benchmarks:
//   apply → all replicas running, for 1 and 50 replicas, against spawning the same programs
//   directly (the floor: what starting the processes costs without drover);
//   control-plane CPU and RSS with 200 idle replicas, against the same control plane idle with none;
//   a full reconcile pass over 10,000 stored dryRun workers (a restart), against listing them.
// Targets: apply → 1 replica running ≤ 300 ms; 200 idle replicas < 2 % of one core.
import {spawn} from 'node:child_process'
import {chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {adminKey, median, table} from './lib.mjs'

const TICKS = 100

function cpuSeconds(pid) {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(rest[11]) + Number(rest[12])) / TICKS
}

function rssBytes(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024
}

function cmdlines() {
  const out = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      out.push({pid: Number(entry), args: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')})
    } catch {
      // gone
    }
  }
  return out
}

/**
 * The processes of a worker's replicas: the log pumps (their script is the wrapper's 6th
 * argument, see src/runtime/local/processes.ts) and everything else of the replicas (wrappers,
 * isolation, programs), found by the worker's folder in their command lines and by session.
 */
function replicaProcesses(workerName) {
  const all = cmdlines()
  const wrappers = all.filter((p) => p.args[3] === 'drover-replica' && p.args[4]?.includes(`/${workerName}/`))
  const scripts = new Set(wrappers.map((p) => p.args[6]).filter(Boolean))
  const pumps = all.filter((p) => scripts.has(p.args[1])).map((p) => p.pid)
  const sessions = new Set(wrappers.map((p) => p.pid))
  const rest = all
    .filter((p) => {
      try {
        return sessions.has(Number(readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1].split(' ')[3]))
      } catch {
        return false
      }
    })
    .map((p) => p.pid)
  return {pumps, rest}
}

/** Proportional set size: shared pages (perl's, libc's) divided among the processes mapping them. */
function pssBytes(pid) {
  return Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]) * 1024
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

const sum = (pids, f) =>
  pids.reduce((total, pid) => {
    try {
      return total + f(pid)
    } catch {
      return total
    }
  }, 0)

async function startServer(root, dir, env = {}) {
  const child = spawn(
    join(root, 'node_modules/.bin/node'),
    [join(root, 'dist/server/main.js'), '--port', '0', '--log-level', 'warn'],
    {
      env: {
        ...process.env,
        DROVER_DATA_DIR: join(dir, 'data'),
        DROVER_CONFIG_DIR: join(dir, 'config'),
        DROVER_READY_FD: '3',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    },
  )
  const info = await new Promise((resolve, reject) => {
    let text = ''
    child.stdio[3].setEncoding('utf8').on('data', (d) => (text += d))
    child.stdio[3].on('end', () => (text ? resolve(JSON.parse(text)) : reject(new Error('server did not start'))))
  })
  let key
  try {
    key = await adminKey(root, dir)
  } catch (error) {
    child.kill('SIGKILL') // the caller never gets the handle that would stop it
    throw error
  }
  const call = async (method, path, body) => {
    const r = await fetch(new URL(path, info.url), {
      method,
      headers: {authorization: `Bearer ${key}`, ...(body ? {'content-type': 'application/json'} : {})},
      body: body && JSON.stringify(body),
    })
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
    return r.json()
  }
  return {
    child,
    pid: info.pid,
    call,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGUSR2')
      }),
  }
}

const worker = (name, replicas, extra = {}) => ({
  manifest: {
    name,
    version: 'v1beta',
    type: 'worker',
    worker: {
      stack: 'command',
      compute: 'runnable-default',
      replicas,
      stackSpec: {command: 'sleep', args: ['1000000']},
      ...extra,
    },
  },
})

async function waitRunning(server, name, count) {
  for (;;) {
    const view = await server.call('GET', `/api/v1/resources/worker/${name}/runtime`)
    if (view.replicas.filter((r) => r.phase === 'Running' && r.pid).length >= count) return
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** Live `sleep 1000000` processes (drover's replicas in this benchmark, and the floor's). */
function sleepers() {
  let n = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0]
      if (cmdline === 'sleep\u00001000000\u0000' && state !== 'Z') n++
    } catch {
      // gone meanwhile
    }
  }
  return n
}

async function noSleepersLeft() {
  const deadline = performance.now() + 30_000
  while (sleepers() > 0) {
    if (performance.now() > deadline) throw new Error('replicas still running 30 s after delete')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** The floor: spawning `count` sleep processes directly and waiting until each has started. */
async function spawnDirectly(count) {
  const start = performance.now()
  const children = await Promise.all(
    Array.from(
      {length: count},
      () =>
        new Promise((resolve) => {
          const c = spawn('sleep', ['1000000'], {detached: true, stdio: 'ignore'})
          c.once('spawn', () => resolve(c))
        }),
    ),
  )
  const ms = performance.now() - start
  for (const c of children) c.kill('SIGKILL')
  await noSleepersLeft()
  return ms
}

export async function workers({root}) {
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-workers-'))
  chmodSync(dir, 0o711) // isolated replicas (root) reach their folders below it
  const rows = []
  const checks = []
  let server
  try {
    // 1. apply → running.
    server = await startServer(root, join(dir, 'a'))
    for (const count of [1, 50]) {
      const runs = []
      const floor = []
      // Interleaved, each on a quiet machine: the floor runs only once drover's replicas are
      // gone (not while they stop), and the two alternate which goes first.
      for (let i = 0; i < (count === 1 ? 8 : 4); i++) {
        const name = `start-${count}-${i}`
        const viaDrover = async () => {
          const t0 = performance.now()
          await server.call('POST', '/api/v1/apply', worker(name, count))
          await waitRunning(server, name, count)
          runs.push(performance.now() - t0)
          await server.call('DELETE', `/api/v1/resources/worker/${name}`)
          await noSleepersLeft()
        }
        if (i % 2) {
          floor.push(await spawnDirectly(count))
          await viaDrover()
        } else {
          await viaDrover()
          floor.push(await spawnDirectly(count))
        }
      }
      const m = median(runs)
      rows.push([
        `apply → ${count} replica${count > 1 ? 's' : ''} running`,
        `${m.toFixed(0)} ms`,
        `${median(floor).toFixed(0)} ms (spawning them directly)`,
      ])
      if (count === 1)
        checks.push({name: 'apply → 1 replica running ≤ 300 ms', ok: m <= 300, value: `${m.toFixed(0)} ms`})
    }
    await server.stop()

    // 2. the cost of 200 idle replicas to the control plane.
    server = await startServer(root, join(dir, 'b'))
    const window = 20_000
    const measure = async () => {
      const cpu0 = cpuSeconds(server.pid)
      const t0 = performance.now()
      await new Promise((r) => setTimeout(r, window))
      return {cpu: (cpuSeconds(server.pid) - cpu0) / ((performance.now() - t0) / 1000), rss: rssBytes(server.pid)}
    }
    await new Promise((r) => setTimeout(r, 3000))
    const idle = await measure()
    await server.call('POST', '/api/v1/apply', worker('idle-200', 200))
    await waitRunning(server, 'idle-200', 200)
    await new Promise((r) => setTimeout(r, 3000))
    const {pumps, rest} = replicaProcesses('idle-200')
    const pumpCpu0 = sum(pumps, cpuSeconds)
    const pumpT0 = performance.now()
    const busy = await measure()
    const pumpCpu = (sum(pumps, cpuSeconds) - pumpCpu0) / ((performance.now() - pumpT0) / 1000)
    rows.push([
      `log pumps of 200 idle replicas (${pumps.length}): CPU, memory`,
      `${(pumpCpu * 100).toFixed(2)} % of a core, PSS ${mib(sum(pumps, pssBytes))} (RSS ${mib(sum(pumps, rssBytes))})`,
      `PSS ${mib(sum(rest, pssBytes))} (RSS ${mib(sum(rest, rssBytes))}): the replicas' other processes`,
    ])
    rows.push([
      'control plane with 200 idle replicas: CPU',
      `${(busy.cpu * 100).toFixed(2)} % of a core`,
      `${(idle.cpu * 100).toFixed(2)} % with none`,
    ])
    rows.push([
      'control plane with 200 idle replicas: RSS',
      `${(busy.rss / 2 ** 20).toFixed(0)} MiB`,
      `${(idle.rss / 2 ** 20).toFixed(0)} MiB with none`,
    ])
    checks.push({
      name: '200 idle replicas < 2 % of one core',
      ok: busy.cpu < 0.02,
      value: `${(busy.cpu * 100).toFixed(2)} %`,
    })
    await server.stop()

    // 3. a reconcile pass over 10,000 stored dryRun workers: every one on the restart's resync.
    server = await startServer(root, join(dir, 'c'))
    for (let start = 0; start < 10_000; start += 200) {
      await Promise.all(
        Array.from({length: 200}, (_, i) =>
          server.call('POST', '/api/v1/apply', worker(`dry-${start + i}`, 1, {dryRun: true})),
        ),
      )
    }
    await server.stop()
    const t0 = performance.now()
    server = await startServer(root, join(dir, 'c'))
    // Poll the metric until every worker has been reconciled once.
    const url = JSON.parse(readFileSync(join(dir, 'c', 'data', 'server.json'), 'utf8')).url
    for (;;) {
      const text = await (await fetch(`${url}/metrics`)).text()
      const n = Number(/^drover_reconciles_total (\d+)$/m.exec(text)?.[1] ?? 0)
      if (n >= 10_000) break
      await new Promise((r) => setTimeout(r, 5))
    }
    const pass = performance.now() - t0
    const t1 = performance.now()
    let token
    let listed = 0
    do {
      const page = await server.call(
        'GET',
        `/api/v1/resources?type=worker&all=true&limit=1000${token ? `&continue=${token}` : ''}`,
      )
      listed += page.items.length
      token = page.continue
    } while (token)
    const list = performance.now() - t1
    rows.push([
      'reconcile of 10,000 dryRun workers (start + resync)',
      `${pass.toFixed(0)} ms`,
      `${list.toFixed(0)} ms to list them (${listed})`,
    ])
    await server.stop()
    server = undefined
  } finally {
    if (server) server.child.kill('SIGKILL')
    rmSync(dir, {recursive: true, force: true})
  }
  return {title: 'Workers (default policies)', text: table(rows, ['measure', 'result', 'baseline']), checks}
}
