// Control-plane benchmarks (wrk on loopback): GET of one resource (cached), GET over 20,000
// resources at random (more than the record cache holds), and durable apply throughput, each
// against two bare node:http + node:sqlite servers doing the same read and write
// (bench/bare-server.mjs): `matched` has drover's record cache and group commit, so the ratio is
// what Fastify, auth and validation cost; `plain` has neither (one fsync per write), the floor
// of a naive server. Targets: GET ≥ 0.7× the matched server; ≥ 3,000 durable applies/s.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {adminKey, table} from './lib.mjs'

export function startProcess(cmd, args, env, readyFd) {
  const child = spawn(cmd, args, {
    env: {...process.env, ...env},
    stdio: readyFd ? ['ignore', 'ignore', 'inherit', 'pipe'] : ['ignore', 'pipe', 'inherit'],
  })
  const stream = readyFd ? child.stdio[3] : child.stdout
  return new Promise((resolve, reject) => {
    let text = ''
    stream.setEncoding('utf8')
    stream.on('data', (d) => {
      text += d
      if (text.includes('\n')) resolve({child, info: JSON.parse(text.split('\n')[0])})
    })
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)))
  })
}

export function wrk(url, {seconds, script, header}) {
  // Pinned: the server on core 0, wrk on core 1 (the probe's method), so that wrk does not steal
  // the server's CPU.
  const args = [
    '-c',
    '1',
    'wrk',
    '-t2',
    '-c50',
    `-d${seconds}s`,
    '--latency',
    '-H',
    header,
    ...(script ? ['-s', script] : []),
    url,
  ]
  const r = spawnSync('taskset', args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`)
  const field = (re) => {
    const m = re.exec(r.stdout)
    if (!m) throw new Error(`unexpected wrk output for ${url}:\n${r.stdout}${r.stderr}`)
    return m[1]
  }
  const rps = Number(field(/Requests\/sec:\s+([\d.]+)/))
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0)
  return {rps, non2xx, p50: field(/^\s+50%\s+(\S+)\s*$/m), p99: field(/^\s+99%\s+(\S+)\s*$/m)}
}

export const applyScript = (dir) => {
  const file = join(dir, 'apply.lua')
  writeFileSync(
    file,
    `counter = 0
request = function()
  counter = counter + 1
  local name = "bench-" .. (counter % 50)
  local body = '{"manifest":{"name":"' .. name .. '","version":"v1beta","type":"worker","worker":{"stack":"node","compute":"runnable-default","replicas":' .. (counter % 1000) .. ',"dryRun":true,"stackSpec":{"source":"x"}}}}'
  local headers = {["Content-Type"] = "application/json"}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return wrk.format("POST", "/api/v1/apply", headers, body)
end
`,
  )
  return file
}

const manyScript = (dir) => {
  const file = join(dir, 'many.lua')
  writeFileSync(
    file,
    `math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/resources/worker/k-" .. math.random(0, ${MANY - 1}) .. "?workspace=many")
end
`,
  )
  return file
}

const MANY = 20_000

/** The best run of each workload on each server (by requests/s). */
export const best = (runs) => runs.reduce((a, b) => (b.rps > a.rps ? b : a))

/**
 * Every workload on every server: a warm-up (JIT) of 2 s each, then two measured rounds,
 * interleaved; results[workload][server] is the list of runs. Any non-2xx answer fails it.
 */
export function measure(workloads, servers) {
  for (const run of Object.values(workloads)) for (const url of Object.values(servers)) run(url, 2)
  const results = {}
  for (let round = 0; round < 2; round++)
    for (const [workload, run] of Object.entries(workloads))
      for (const [name, url] of Object.entries(servers)) {
        const r = run(url)
        if (r.non2xx > 0) throw new Error(`${workload} on ${name}: non-2xx responses`)
        results[workload] ??= {}
        results[workload][name] = [...(results[workload][name] ?? []), r]
      }
  return results
}

/** The worker `one` (dry run) that the GET workloads read, applied to a server. */
export async function applyOne(url, key) {
  const one = {
    name: 'one',
    version: 'v1beta',
    type: 'worker',
    worker: {stack: 'node', compute: 'runnable-default', dryRun: true, stackSpec: {source: 'x'}},
  }
  const r = await fetch(new URL('/api/v1/apply', url), {
    method: 'POST',
    headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
    body: JSON.stringify({manifest: one}),
  })
  if (!r.ok) throw new Error(`apply failed: ${r.status}`)
}

/** `count` workers named k-0… in workspace `many`, through the server's own apply. */
async function seed(url, key, count) {
  const auth = {authorization: `Bearer ${key}`, 'content-type': 'application/json'}
  for (let start = 0; start < count; start += 200) {
    await Promise.all(
      Array.from({length: Math.min(200, count - start)}, (_, i) =>
        fetch(new URL('/api/v1/apply?workspace=many', url), {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            workspace: 'many',
            manifest: {
              name: `k-${start + i}`,
              version: 'v1beta',
              type: 'worker',
              worker: {stack: 'node', compute: 'runnable-default', dryRun: true, stackSpec: {source: 'x'}},
            },
          }),
        }).then((r) => {
          if (!r.ok) throw new Error(`seed failed: ${r.status}`)
        }),
      ),
    )
  }
}

export async function server({root, seconds = 8}) {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed (apt-get install wrk)')
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-'))
  const node = join(root, 'node_modules/.bin/node')
  const processes = []
  try {
    const drover = await startProcess(
      'taskset',
      ['-c', '0', node, join(root, 'dist/server/main.js'), '--port', '0', '--log-level', 'warn'],
      {DROVER_DATA_DIR: join(dir, 'data'), DROVER_CONFIG_DIR: join(dir, 'config'), DROVER_READY_FD: '3'},
      true,
    )
    processes.push(drover.child)
    const key = await adminKey(root, dir)
    const bare = async (mode) => {
      const p = await startProcess(
        'taskset',
        ['-c', '0', node, join(root, 'bench/bare-server.mjs'), '--mode', mode, join(dir, `${mode}.db`), key],
        {},
      )
      processes.push(p.child)
      return p.info.url
    }
    const servers = {drover: drover.info.url, matched: await bare('matched'), plain: await bare('plain')}
    const header = `Authorization: Bearer ${key}`
    for (const url of Object.values(servers)) {
      await applyOne(url, key)
      await seed(url, key, MANY)
    }
    const getPath = '/api/v1/resources/worker/one?workspace=public'
    const apply = applyScript(dir)
    const many = manyScript(dir)
    const workloads = {
      'GET one resource': (url, s = seconds) => wrk(url + getPath, {seconds: s, header}),
      [`GET ${MANY.toLocaleString('en')} resources at random`]: (url, s = seconds) =>
        wrk(url, {seconds: s, header, script: many}),
      'durable apply': (url, s = seconds) => wrk(url, {seconds: s, header, script: apply}),
    }
    const results = measure(workloads, servers)
    const label = {
      drover: 'drover',
      matched: 'bare server, same cache and group commit',
      plain: 'bare server, no cache, one fsync per write',
    }
    const rows = []
    const ratios = {}
    for (const [workload, byServer] of Object.entries(results)) {
      const matched = best(byServer.matched).rps
      for (const name of ['drover', 'matched', 'plain']) {
        const r = best(byServer[name])
        rows.push([
          `${workload}: ${label[name]}`,
          `${Math.round(r.rps)} req/s`,
          `${r.p50} / ${r.p99}`,
          (r.rps / matched).toFixed(2),
        ])
      }
      ratios[workload] = best(byServer.drover).rps / matched
    }
    const applies = best(results['durable apply'].drover).rps
    return {
      title: `Control plane (wrk -t2 -c50 -d${seconds}s, servers pinned to core 0, client to core 1; best of 2 interleaved runs; ratio to the matched bare server)`,
      text: table(rows, ['measure', 'result', 'p50 / p99', '× matched']),
      checks: [
        {
          name: 'GET ≥ 0.7× the matched bare server',
          ok: ratios['GET one resource'] >= 0.7,
          value: `${ratios['GET one resource'].toFixed(2)}×`,
        },
        {name: '≥ 3,000 durable applies/s', ok: applies >= 3000, value: `${Math.round(applies)}/s`},
      ],
    }
  } finally {
    for (const p of processes) p.kill('SIGKILL')
    rmSync(dir, {recursive: true, force: true})
  }
}
