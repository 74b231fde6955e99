// Several real control plane processes on one real PostgreSQL (test/helpers/postgres.ts), their
// workers on the fake Kubernetes API server of test/helpers (a test double: no kube-apiserver runs
// here): one leads the scheduler under a lease, the others serve the API; kill -9 and SIGSTOP of
// the leader; kill -9 of a lone control plane under load. Skipped with one loud line without a
// PostgreSQL (required in CI).
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type Reply, apply, call, nodeWorker} from '../../helpers/api.js'
import {FakeKubeApiServer, type RecordedRequest} from '../../helpers/fake-kube-apiserver.js'
import {type TestPostgres, freshDatabase, postgresAvailable, startPostgres} from '../../helpers/postgres.js'
import {runCli} from '../../helpers/run-cli.js'
import {FAST, type ServerProcess, startServerProcess, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const LEASE_MS = 2000
const RENEW_MS = 500
const home = tempDir('ha')
const fake = new FakeKubeApiServer()
let pg: TestPostgres | undefined
const servers: ServerProcess[] = []

const COMPUTE = {name: 'kube', version: 'v1', type: 'compute', compute: {dataplane: 'hub', namespacePrefix: 'ha-'}}

interface Planes {
  controlPlanes: {id: string; url: string; leader: boolean; self: boolean}[]
  lease: {holder?: string; epoch: number}
}

const planes = async (server: ServerProcess) =>
  (await call(server, 'GET', '/api/v1/control-planes')).json() as unknown as Planes
const selfId = async (server: ServerProcess) => (await planes(server)).controlPlanes.find((p) => p.self)!.id
const metric = async (server: ServerProcess, name: string) => {
  const text = (await call(server, 'GET', '/metrics')).text
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.split(' ')[1])
}

/** The epochs written on the cluster's objects, in the order the API server received them. */
function clusterWrites(requests: readonly RecordedRequest[]): {object: string; epoch: number}[] {
  return requests.flatMap((r) => {
    const epoch = (r.body as {metadata?: {annotations?: Record<string, string>}} | undefined)?.metadata?.annotations?.[
      'drover.dev/epoch'
    ]
    return r.method === 'PATCH' && epoch ? [{object: r.path, epoch: Number(epoch)}] : []
  })
}

/** No write of an older epoch after the first write of a newer one: no two leaders acted at once. */
function expectFenced(writes: {object: string; epoch: number}[]) {
  let newest = 0
  for (const [i, w] of writes.entries()) {
    expect(w.epoch, `write ${i} (${w.object}) after epoch ${newest} wrote`).toBeGreaterThanOrEqual(newest)
    newest = Math.max(newest, w.epoch)
  }
}

describe.skipIf(!postgresAvailable)('control planes on one PostgreSQL', () => {
  let env: Record<string, string>
  let config: string
  const start = async (name: string) => {
    const server = await startServerProcess({home: join(home, name), args: ['--config', config], env})
    servers.push(server)
    return server
  }

  beforeAll(async () => {
    pg = await startPostgres()
    await fake.start()
    const kubeconfig = join(home, 'kubeconfig')
    writeFileSync(kubeconfig, fake.kubeconfig())
    config = join(home, 'server.yaml')
    writeFileSync(config, `dataplanes:\n  hub:\n    kubeconfig: ${kubeconfig}\n`)
    env = {
      ...FAST,
      DROVER_STORE_URL: await freshDatabase(pg, 'ha'),
      DROVER_HA: 'true',
      DROVER_LEASE_MS: String(LEASE_MS),
      DROVER_LEASE_RENEW_MS: String(RENEW_MS),
      // Control planes sharing a store share the key of its secrets.
      DROVER_ENCRYPTION_KEY_FILE: join(home, 'encryption.key'),
      DROVER_MAX_REPLICAS: '100000',
    }
  }, 60_000)
  afterAll(async () => {
    for (const server of servers) {
      // A stopped process takes SIGKILL too; SIGCONT only for tidiness (it may be gone).
      if (server.child.exitCode === null && server.child.signalCode === null) process.kill(server.pid, 'SIGCONT')
      await server.kill()
    }
    await fake.stop()
    await pg?.stop()
  })

  let a: ServerProcess
  let b: ServerProcess

  it('serve the API on every one, schedule on one: the first to start leads, under epoch 1', async () => {
    a = await start('a')
    b = await start('b')
    const seen = await planes(b)
    expect(seen.controlPlanes.map((p) => [p.url, p.leader, p.self])).toEqual([
      [a.url, true, false],
      [b.url, false, true],
    ])
    expect(seen.lease).toMatchObject({holder: await selfId(a), epoch: 1})
    expect(await metric(a, 'drover_leader')).toBe(1)
    expect(await metric(b, 'drover_leader')).toBe(0)
    expect((await call(b, 'GET', '/readyz')).status, 'a follower is ready too').toBe(200)
    // `server status` against one of them (a remote context) lists both and says which leads.
    const status = await runCli(['server', 'status'], {env: {DROVER_URL: b.url, DROVER_APIKEY: b.adminKey}})
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toContain(`${b.url} is ready`)
    expect(status.stdout).toMatch(
      new RegExp(`highly available: .* \\(${a.url}\\) leads the scheduler since .*, lease epoch 1`),
    )
    expect(status.stdout).toMatch(new RegExp(`${a.url} +\\d+ +\\S+ +leader`))
    expect(status.stdout).toMatch(new RegExp(`\\(this one\\) +${b.url} +\\d+ +\\S+ +follower`))
  })

  it('refuses the local dataplane, which only one machine can reach', async () => {
    const worker = await apply(b, nodeWorker('local', 'setInterval(() => {}, 1000)'))
    expect(worker.status).toBe(422)
    expect(worker.text).toContain(
      'worker.compute: Invalid value: compute runnable-default runs workers on the local dataplane',
    )
    expect(worker.text).toContain('highly available (--ha)')
    const compute = await apply(a, {name: 'mine', version: 'v1', type: 'compute', compute: {dataplane: 'local'}})
    expect(compute.status).toBe(422)
    expect(compute.text).toContain('compute.dataplane')
  })

  it('fail over when the leader is killed under apply load: every acknowledged write is kept, no older epoch writes after a newer one', async () => {
    expect((await apply(a, COMPUTE)).status).toBe(200)
    await waitFor('the compute reachable from b', async () => {
      const r = (await call(b, 'GET', '/api/v1/resources/compute/kube')).json() as {status: {reachable?: boolean}}
      return r.status.reachable === true || undefined
    })
    const acked = new Map<string, {replicas: number; rv: number}>()
    let stop = false
    let seq = 0
    let aDead = false
    const clients = Array.from({length: 4}, async (_, c) => {
      for (let k = 0; !stop; k++) {
        const i = ++seq
        const name = `ha-${c}-${k % 5}`
        // Half the clients write to the leader, half to the follower; once a is gone, all to b.
        const target = c % 2 === 0 && !aDead ? a : b
        let r: Reply
        try {
          r = await apply(target, nodeWorker(name, 'setInterval(() => {}, 1000)', {compute: 'kube', replicas: i}))
        } catch {
          continue // a died with this request in flight: not acknowledged
        }
        if (r.status !== 200) continue
        const rv = Number((r.json().resource as {metadata: {resourceVersion: string}}).metadata.resourceVersion)
        if ((acked.get(name)?.rv ?? -1) < rv) acked.set(name, {replicas: i, rv})
      }
    })
    const aId = await selfId(a)
    const bId = await selfId(b)
    await waitFor('writes to every worker acknowledged', () => acked.size === 20, 30_000)
    await waitFor('a to write to the cluster', () => clusterWrites(fake.requests).some((w) => w.epoch === 1), 30_000)
    aDead = true
    const killed = Date.now()
    await a.kill()
    const lead = await waitFor(
      'b to lead',
      async () => {
        const seen = await planes(b)
        return seen.lease.holder === bId && seen.controlPlanes.find((p) => p.self)?.leader ? seen.lease : undefined
      },
      30_000,
      50,
    )
    const tookMs = Date.now() - killed
    expect(lead.epoch).toBe(2)
    // Within the lease: a's lasts LEASE_MS after its last renewal, and b asks every RENEW_MS.
    expect(tookMs, 'from kill -9 to a new leader').toBeLessThan(LEASE_MS + RENEW_MS + 4000)
    expect(await metric(b, 'drover_leader')).toBe(1)
    // More writes under the new leader, then stop.
    const before = seq
    await waitFor('more writes acknowledged by b', () => seq > before + 20, 30_000)
    stop = true
    await Promise.all(clients)
    // b wrote rows it knew in one round trip each (decision 0014).
    expect(await metric(b, 'drover_store_one_trip_batches_total')).toBeGreaterThan(0)
    expect(acked.has(`ha-0-0`) && acked.has(`ha-1-0`)).toBe(true)
    expect(
      (await planes(b)).controlPlanes.map((p) => p.id),
      'a is forgotten once unseen',
    ).toContain(bId)
    expect(aId).not.toBe(bId)

    // Every acknowledged write is there (or a later one of the same worker).
    for (const [name, write] of acked) {
      const stored = (await call(b, 'GET', `/api/v1/resources/worker/${name}?workspace=public`)).json() as {
        metadata: {resourceVersion: string}
        manifest: {worker: {replicas: number}}
      }
      expect(Number(stored.metadata.resourceVersion)).toBeGreaterThanOrEqual(write.rv)
      expect(stored.manifest.worker.replicas).toBeGreaterThanOrEqual(write.replicas)
    }
    // The new leader brings the cluster to what is stored.
    await waitFor(
      'every Deployment at its stored replicas',
      async () => {
        for (const name of acked.keys()) {
          const stored = (await call(b, 'GET', `/api/v1/resources/worker/${name}?workspace=public`)).json() as {
            manifest: {worker: {replicas: number}}
          }
          if (fake.get('Deployment', 'ha-public', name)?.spec?.replicas !== stored.manifest.worker.replicas)
            return false
        }
        return true
      },
      30_000,
    )
    const writes = clusterWrites(fake.requests)
    expect(new Set(writes.map((w) => w.epoch))).toEqual(new Set([1, 2]))
    expectFenced(writes)
  }, 120_000)

  it('fence a leader paused past its lease: once it runs again it writes nothing, and follows', async () => {
    const c = await start('c')
    const cId = await selfId(c)
    expect((await planes(c)).lease.epoch).toBe(2)
    // b is busy with a change when it is stopped.
    expect(
      (await apply(b, nodeWorker('paused', 'setInterval(() => {}, 1000)', {compute: 'kube', replicas: 3}))).status,
    ).toBe(200)
    process.kill(b.pid, 'SIGSTOP')
    const lead = await waitFor(
      'c to lead',
      async () => {
        const seen = await planes(c)
        return seen.lease.holder === cId ? seen.lease : undefined
      },
      30_000,
      50,
    )
    expect(lead.epoch).toBe(3)
    expect((await apply(c, nodeWorker('after', 'setInterval(() => {}, 1000)', {compute: 'kube'}))).status).toBe(200)
    await waitFor('c to write to the cluster', () => clusterWrites(fake.requests).some((w) => w.epoch === 3), 30_000)
    process.kill(b.pid, 'SIGCONT')
    await waitFor(
      'b to know it lost the lease',
      async () => (await metric(b, 'drover_lease_losses_total')) === 1,
      30_000,
    )
    expect(await metric(b, 'drover_leader')).toBe(0)
    expect(b.output()).toContain('no longer leading the scheduler')
    // What b had to do is done by c, under epoch 3; nothing of b's epoch came after it.
    await waitFor(
      'the paused worker’s Deployment',
      () => fake.get('Deployment', 'ha-public', 'paused')?.spec?.replicas === 3,
      30_000,
    )
    // While c resyncs every worker twice over, b (its timers running again) reconciles nothing.
    const bRuns = await metric(b, 'drover_reconciles_total')
    const cRuns = (await metric(c, 'drover_reconciles_total'))!
    await waitFor(
      'two resyncs of c',
      async () => ((await metric(c, 'drover_reconciles_total'))! >= cRuns + 2 * 22 ? true : undefined),
      30_000,
    )
    expect(await metric(b, 'drover_reconciles_total')).toBe(bRuns)
    expectFenced(clusterWrites(fake.requests))
    expect((await planes(b)).lease).toMatchObject({holder: cId, epoch: 3})
  }, 120_000)

  it('alone on PostgreSQL, loses no acknowledged write through kill -9', async () => {
    const env = {DROVER_STORE_URL: await freshDatabase(pg!, 'crash'), DROVER_MAX_REPLICAS: '100000'}
    const dir = join(home, 'crash')
    const first = await startServerProcess({home: dir, env})
    servers.push(first)
    const acked = new Map<string, {replicas: number; rv: number}>()
    let stop = false
    let n = 0
    const clients = Array.from({length: 8}, async (_, c) => {
      for (let k = 0; !stop; k++) {
        const i = n++
        const name = `c${c}-${k % 10}`
        try {
          // dryRun: stored, not run (the count is a sequence number, not processes).
          const r = await apply(first, nodeWorker(name, 'x', {replicas: i, dryRun: true}))
          if (r.status === 200) {
            const rv = Number((r.json().resource as {metadata: {resourceVersion: string}}).metadata.resourceVersion)
            if ((acked.get(name)?.rv ?? -1) < rv) acked.set(name, {replicas: i, rv})
          }
        } catch {
          return // the server is gone
        }
      }
    })
    await waitFor('every name acknowledged', () => acked.size === 80, 30_000)
    await first.kill()
    stop = true
    await Promise.all(clients)
    const second = await startServerProcess({home: dir, env})
    servers.push(second)
    for (const [name, write] of acked) {
      const stored = (await call(second, 'GET', `/api/v1/resources/worker/${name}?workspace=public`)).json() as {
        metadata: {resourceVersion: string}
        manifest: {worker: {replicas: number}}
      }
      expect(Number(stored.metadata.resourceVersion)).toBeGreaterThanOrEqual(write.rv)
      expect(stored.manifest.worker.replicas).toBeGreaterThanOrEqual(write.replicas)
    }
    await second.stop()
  }, 120_000)
})
