// The control plane on the PostgreSQL store (issue 11), wrk on loopback: GET of one resource and
// durable applies, against a bare node:http server with the same driver, the same query and the
// same batching (bench/bare-pg-server.mjs), on one throwaway PostgreSQL cluster (fsync on) of
// the machine's binaries. The ratio is what Fastify, auth, validation and the store's
// bookkeeping (resourceVersion counter, events, revisions) cost. Targets: ≥ 0.7× the bare server
// for both.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {adminKey, table} from './lib.mjs'
import {applyOne, applyScript, best, measure, startProcess, wrk} from './server.mjs'

export async function postgres({root, seconds = 8}) {
  const {binaries, startCluster} = await import(join(root, 'test/helpers/pg-cluster.ts'))
  const bin = binaries()
  if (!bin) throw new Error('no PostgreSQL binaries (apt-get install postgresql)')
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-pg-'))
  const cluster = startCluster(bin, mkdtempSync(join(tmpdir(), 'drover-bench-pgdata-')))
  const node = join(root, 'node_modules/.bin/node')
  const processes = []
  try {
    const drover = await startProcess(
      'taskset',
      ['-c', '0', node, join(root, 'dist/server/main.js'), '--port', '0', '--log-level', 'warn'],
      {
        DROVER_DATA_DIR: join(dir, 'data'),
        DROVER_CONFIG_DIR: join(dir, 'config'),
        DROVER_READY_FD: '3',
        DROVER_STORE_URL: cluster.url,
      },
      true,
    )
    processes.push(drover.child)
    const key = await adminKey(root, dir)
    const bare = await startProcess(
      'taskset',
      ['-c', '0', node, join(root, 'bench/bare-pg-server.mjs'), cluster.url, key],
      {},
    )
    processes.push(bare.child)
    const servers = {drover: drover.info.url, bare: bare.info.url}
    const header = `Authorization: Bearer ${key}`
    for (const url of Object.values(servers)) await applyOne(url, key)
    const apply = applyScript(dir)
    const workloads = {
      'GET one resource': (url, s = seconds) =>
        wrk(`${url}/api/v1/resources/worker/one?workspace=public`, {seconds: s, header}),
      'durable apply': (url, s = seconds) => wrk(url, {seconds: s, header, script: apply}),
    }
    const results = measure(workloads, servers)
    const rows = []
    const ratios = {}
    for (const [workload, byServer] of Object.entries(results)) {
      const base = best(byServer.bare).rps
      for (const name of ['drover', 'bare']) {
        const r = best(byServer[name])
        rows.push([
          `${workload}: ${name === 'drover' ? 'drover on PostgreSQL' : 'bare server, same driver and batching'}`,
          `${Math.round(r.rps)} req/s`,
          `${r.p50} / ${r.p99}`,
          (r.rps / base).toFixed(2),
        ])
      }
      ratios[workload] = best(byServer.drover).rps / base
    }
    return {
      title: `Control plane on PostgreSQL (wrk -t2 -c50 -d${seconds}s, servers pinned to core 0, client to core 1, PostgreSQL unpinned, fsync on; best of 2 interleaved runs; ratio to the bare server)`,
      text: table(rows, ['measure', 'result', 'p50 / p99', '× bare']),
      checks: [
        {
          name: 'GET ≥ 0.7× the bare server',
          ok: ratios['GET one resource'] >= 0.7,
          value: `${ratios['GET one resource'].toFixed(2)}×`,
        },
        {
          name: 'durable applies ≥ 0.7× the bare server',
          ok: ratios['durable apply'] >= 0.7,
          value: `${ratios['durable apply'].toFixed(2)}×`,
        },
      ],
    }
  } finally {
    for (const p of processes) p.kill('SIGKILL')
    await cluster.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}
