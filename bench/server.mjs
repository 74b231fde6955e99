// Control-plane benchmarks: GET of one resource and durable apply throughput (wrk on loopback)
// against a bare node:http + node:sqlite server doing the same read and write, and
// `drover get -t worker -a` with 1,000 stored workers against `kubectl version --client`.
// Targets: GET ≥ 0.7× the bare server; ≥ 3,000 durable applies/s; drover get ≤ 2.5× kubectl.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {interleaved, median, table, timeCommand} from './lib.mjs'

function startProcess(cmd, args, env, readyFd) {
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

function wrk(url, {seconds, script, header}) {
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
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)[1])
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0)
  const p50 = /^\s+50%\s+(\S+)$/m.exec(r.stdout)[1]
  const p99 = /^\s+99%\s+(\S+)$/m.exec(r.stdout)[1]
  return {rps, non2xx, p50, p99}
}

const applyScript = (dir) => {
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

async function seedWorkers(url, key, count) {
  const auth = {authorization: `Bearer ${key}`, 'content-type': 'application/json'}
  for (let start = 0; start < count; start += 100) {
    await Promise.all(
      Array.from({length: Math.min(100, count - start)}, (_, i) =>
        fetch(new URL('/api/v1/apply', url), {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            manifest: {
              name: `w-${start + i}`,
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
    const key = readFileSync(join(dir, 'config', 'local-admin.key'), 'utf8').trim()
    const bare = await startProcess(
      'taskset',
      ['-c', '0', node, join(root, 'bench/bare-server.mjs'), join(dir, 'bare.db'), key],
      {},
    )
    processes.push(bare.child)
    const header = `Authorization: Bearer ${key}`
    const one = {
      name: 'one',
      version: 'v1beta',
      type: 'worker',
      worker: {stack: 'node', compute: 'runnable-default', dryRun: true, stackSpec: {source: 'x'}},
    }
    for (const url of [drover.info.url, bare.info.url]) {
      const r = await fetch(new URL('/api/v1/apply', url), {
        method: 'POST',
        headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
        body: JSON.stringify({manifest: one}),
      })
      if (!r.ok) throw new Error(`apply failed: ${r.status}`)
    }
    const getPath = '/api/v1/resources/worker/one?workspace=public'
    // Warm up (JIT), then measure each twice, interleaved.
    wrk(drover.info.url + getPath, {seconds: 2, header})
    wrk(bare.info.url + getPath, {seconds: 2, header})
    const script = applyScript(dir)
    const results = {getDrover: [], getBare: [], applyDrover: [], applyBare: []}
    for (let round = 0; round < 2; round++) {
      results.getDrover.push(wrk(drover.info.url + getPath, {seconds, header}))
      results.getBare.push(wrk(bare.info.url + getPath, {seconds, header}))
      results.applyDrover.push(wrk(drover.info.url, {seconds, header, script}))
      results.applyBare.push(wrk(bare.info.url, {seconds, header, script}))
    }
    for (const [name, runs] of Object.entries(results))
      if (runs.some((r) => r.non2xx > 0)) throw new Error(`${name}: non-2xx responses`)
    const best = (runs) => runs.reduce((a, b) => (b.rps > a.rps ? b : a))
    const gd = best(results.getDrover)
    const gb = best(results.getBare)
    const ad = best(results.applyDrover)
    const ab = best(results.applyBare)

    // drover get -t worker -a with 1,000 workers, against kubectl's start-up.
    await seedWorkers(drover.info.url, key, 1000)
    const env = {...process.env, DROVER_URL: drover.info.url, DROVER_APIKEY: key, NO_COLOR: '1'}
    const hasKubectl = spawnSync('kubectl', ['version', '--client'], {stdio: 'ignore'}).status === 0
    const samples = interleaved(
      [
        {
          name: 'drover get -t worker -a (1,000 workers)',
          run: () =>
            timeCommand('taskset', ['-c', '1', node, join(root, 'bin/run.js'), 'get', '-t', 'worker', '-a'], {env}),
        },
        ...(hasKubectl
          ? [
              {
                name: 'kubectl version --client',
                run: () => timeCommand('taskset', ['-c', '1', 'kubectl', 'version', '--client']),
              },
            ]
          : []),
        {name: 'node -e 0', run: () => timeCommand('taskset', ['-c', '1', node, '-e', '0'])},
      ],
      20,
    )
    const getMs = median(samples['drover get -t worker -a (1,000 workers)'])
    const kubectlMs = hasKubectl ? median(samples['kubectl version --client']) : undefined
    const rows = [
      [
        'GET one resource: drover',
        `${Math.round(gd.rps)} req/s`,
        `${gd.p50} / ${gd.p99}`,
        (gd.rps / gb.rps).toFixed(2),
      ],
      [
        'GET one resource: bare node:http + node:sqlite',
        `${Math.round(gb.rps)} req/s`,
        `${gb.p50} / ${gb.p99}`,
        '1.00',
      ],
      [
        'durable apply: drover (validation, group commit)',
        `${Math.round(ad.rps)} req/s`,
        `${ad.p50} / ${ad.p99}`,
        (ad.rps / ab.rps).toFixed(2),
      ],
      ['durable apply: bare upsert, one fsync each', `${Math.round(ab.rps)} req/s`, `${ab.p50} / ${ab.p99}`, '1.00'],
      [
        'drover get -t worker -a (1,000 workers)',
        `${getMs.toFixed(1)} ms`,
        '',
        kubectlMs ? `${(getMs / kubectlMs).toFixed(2)} × kubectl` : '',
      ],
      ...(kubectlMs ? [['kubectl version --client', `${kubectlMs.toFixed(1)} ms`, '', '']] : []),
      ['node -e 0', `${median(samples['node -e 0']).toFixed(1)} ms`, '', ''],
    ]
    return {
      title: `Control plane (wrk -t2 -c50 -d${seconds}s, server pinned to core 0, client to core 1; best of 2 interleaved runs)`,
      text: table(rows, ['measure', 'result', 'p50 / p99', 'ratio']),
      checks: [
        {name: 'GET ≥ 0.7× bare server', ok: gd.rps >= 0.7 * gb.rps, value: `${(gd.rps / gb.rps).toFixed(2)}×`},
        {name: '≥ 3,000 durable applies/s', ok: ad.rps >= 3000, value: `${Math.round(ad.rps)}/s`},
        ...(kubectlMs
          ? [
              {
                name: 'drover get (1,000 workers) ≤ 2.5× kubectl',
                ok: getMs <= 2.5 * kubectlMs,
                value: `${(getMs / kubectlMs).toFixed(2)}×`,
              },
            ]
          : []),
      ],
    }
  } finally {
    for (const p of processes) p.kill('SIGKILL')
    rmSync(dir, {recursive: true, force: true})
  }
}
