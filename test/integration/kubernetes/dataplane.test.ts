// A control plane with a Kubernetes dataplane, against the fake API server of test/helpers (a
// test double: no kube-apiserver runs here), driven by the real @kubernetes/client-node inside the
// real server process. What the fake cannot do (controllers) the test does: it writes the pods
// and the Deployment status a cluster would.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, call, nodeWorker} from '../../helpers/api.js'
import {FakeKubeApiServer, type KubeObject} from '../../helpers/fake-kube-apiserver.js'
import {FAST, type ServerProcess, startServerProcess, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const home = tempDir('k8s')
const fake = new FakeKubeApiServer()
let server: ServerProcess | undefined

const COMPUTE = {
  name: 'kube',
  version: 'v1',
  type: 'compute',
  compute: {dataplane: 'hub', nodePool: {nodeSelector: {pool: 'workers'}}, namespacePrefix: 'drover-'},
}
const NS = 'drover-public'

beforeAll(async () => {
  await fake.start()
  const kubeconfig = join(home, 'kubeconfig')
  writeFileSync(kubeconfig, fake.kubeconfig())
  const config = join(home, 'server.yaml')
  writeFileSync(config, `dataplanes:\n  hub:\n    kubeconfig: ${kubeconfig}\n`)
  server = await startServerProcess({home: join(home, 'cp'), args: ['--config', config], env: FAST})
})
afterAll(async () => {
  await server?.stop()
  await fake.stop()
})

const status = async (name: string) =>
  (
    (await call(server!, 'GET', `/api/v1/resources/worker/${name}?workspace=public`)).json() as {
      status: {phase: string; readyReplicas?: number; desiredReplicas?: number; lastError?: string}
    }
  ).status

/** What the Deployment controller and the kubelet would do: n ready pods of the current revision. */
function runPods(name: string, n: number) {
  const deployment = fake.get('Deployment', NS, name)!
  const revision = deployment.metadata.labels!['drover.dev/revision']!
  for (let i = 0; i < n; i++)
    fake.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${revision}-${i}`,
        namespace: NS,
        labels: {
          ...(deployment.spec!.selector as {matchLabels: Record<string, string>}).matchLabels,
          'drover.dev/revision': revision,
        },
      },
      status: {
        phase: 'Running',
        conditions: [{type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString()}],
        containerStatuses: [
          {name: 'worker', ready: true, restartCount: 0, state: {running: {startedAt: new Date().toISOString()}}},
        ],
      },
    } as KubeObject)
  fake.put({...deployment, status: {replicas: n, readyReplicas: n, updatedReplicas: n}})
}

describe('a worker on a Kubernetes dataplane', () => {
  it('is applied with server-side apply and reports its pods as replicas', async () => {
    expect((await apply(server!, COMPUTE)).status).toBe(200)
    await waitFor('the compute reachable', async () => {
      const r = (await call(server!, 'GET', '/api/v1/resources/compute/kube')).json() as {status: {reachable?: boolean}}
      return r.status.reachable === true || undefined
    })
    const worker = nodeWorker('w', 'setInterval(() => {}, 1000)', {compute: 'kube', replicas: 2})
    expect((await apply(server!, worker)).status).toBe(200)
    const deployment = await waitFor('the Deployment', () => fake.get('Deployment', NS, 'w'))
    expect(deployment.spec).toMatchObject({replicas: 2})
    expect(fake.get('ConfigMap', NS, 'w.config')).toBeDefined()
    expect(fake.get('Namespace', undefined, NS)).toBeDefined()
    const patches = fake.requests.filter((r) => r.method === 'PATCH')
    expect(patches.length).toBeGreaterThan(0)
    for (const p of patches) {
      expect(p.contentType).toBe('application/apply-patch+yaml')
      expect(p.query).toMatchObject({fieldManager: 'drover', force: 'true'})
    }
    runPods('w', 2)
    await waitFor('running 2/2', async () => ((await status('w')).readyReplicas === 2 ? true : undefined))
    const view = (await call(server!, 'GET', '/api/v1/resources/worker/w/runtime?workspace=public')).json() as {
      replicas: {name: string; phase: string; ready: boolean}[]
    }
    expect(view.replicas.map((r) => [r.phase, r.ready])).toEqual([
      ['Running', true],
      ['Running', true],
    ])
    expect(view.replicas[0]!.name).toMatch(/^w-[0-9a-f]{10}-0$/)
  })

  it('says when a pod finds no node, in a condition naming the reason', async () => {
    const deployment = fake.get('Deployment', NS, 'w')!
    const pending = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'w-pending',
        namespace: NS,
        labels: {
          'drover.dev/workspace': 'public',
          'drover.dev/worker': 'w',
          'drover.dev/revision': deployment.metadata.labels!['drover.dev/revision']!,
        },
      },
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
          },
        ],
      },
    } as KubeObject
    fake.put(pending)
    const condition = await waitFor('PodScheduled False', async () => {
      const r = (await call(server!, 'GET', '/api/v1/resources/worker/w?workspace=public')).json() as {
        status: {conditions: {type: string; status: string; reason: string; message: string}[]}
      }
      return r.status.conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False')
    })
    expect(condition).toMatchObject({
      reason: 'Unschedulable',
      message: expect.stringContaining('w-pending: Unschedulable: 0/3 nodes are available'),
    })
    fake.delete('Pod', NS, 'w-pending')
    await waitFor('PodScheduled True again', async () => {
      const r = (await call(server!, 'GET', '/api/v1/resources/worker/w?workspace=public')).json() as {
        status: {conditions: {type: string; status: string}[]}
      }
      return r.status.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True') || undefined
    })
  })

  it('sends nothing when nothing changed (steady state: reads only)', async () => {
    const writes = fake.writes().length
    const reads = fake.requests.length
    // The resync (1 s here) reconciles it again: reads, no write.
    await waitFor('two more reconciles', () => (fake.requests.length >= reads + 4 ? true : undefined))
    expect(fake.writes().length).toBe(writes)
  })

  it('prunes what it no longer renders, and deletes everything with the worker', async () => {
    const scaled = nodeWorker('w', 'setInterval(() => {}, 1000)', {
      compute: 'kube',
      replicas: 2,
      autoscaling: {minReplicas: 2, maxReplicas: 4},
    })
    expect((await apply(server!, scaled)).status).toBe(200)
    await waitFor('an HPA', () => fake.get('HorizontalPodAutoscaler', NS, 'w'))
    expect(fake.get('Deployment', NS, 'w')!.spec).toMatchObject({replicas: 2}) // kept: the HPA owns it
    expect(
      (await apply(server!, nodeWorker('w', 'setInterval(() => {}, 1000)', {compute: 'kube', replicas: 1}))).status,
    ).toBe(200)
    await waitFor('the HPA pruned', () => (fake.get('HorizontalPodAutoscaler', NS, 'w') ? undefined : true))
    expect((await call(server!, 'DELETE', '/api/v1/resources/worker/w?workspace=public')).status).toBe(200)
    await waitFor(
      'every object deleted',
      () => ['Deployment', 'ConfigMap', 'PodDisruptionBudget'].every((k) => fake.list(k, NS).length === 0) || undefined,
    )
    const deletes = fake.requests.filter((r) => r.method === 'DELETE')
    expect(deletes.length).toBeGreaterThan(0)
    for (const d of deletes) expect(d.query.propagationPolicy).toBe('Foreground')
  })

  it('reads the pods’ logs through pods/log: tails interleaved by time, --previous, follow', async () => {
    expect(
      (await apply(server!, nodeWorker('v', 'setInterval(() => {}, 1000)', {compute: 'kube', replicas: 2}))).status,
    ).toBe(200)
    await waitFor('the Deployment', () => fake.get('Deployment', NS, 'v'))
    runPods('v', 2)
    await waitFor('running 2/2', async () => ((await status('v')).readyReplicas === 2 ? true : undefined))
    const pods = fake
      .list('Pod', NS)
      .filter((p) => p.metadata.name.startsWith('v-'))
      .map((p) => p.metadata.name)
    const t0 = Date.now() - 10_000
    fake.writeLog(NS, pods[0]!, 'first', {time: new Date(t0)})
    fake.writeLog(NS, pods[1]!, 'second', {time: new Date(t0 + 1000)})
    fake.writeLog(NS, pods[0]!, 'third', {time: new Date(t0 + 2000)})
    fake.writeLog(NS, pods[1]!, 'before the restart', {previous: true})
    const text = (q = '') =>
      call(server!, 'GET', `/api/v1/resources/worker/v/logs?workspace=public${q}`).then((r) => {
        expect(r.status, r.text).toBe(200)
        return r.text
      })
    expect(await text()).toBe(`[${pods[0]}] first\n[${pods[1]}] second\n[${pods[0]}] third\n`)
    expect(await text('&timestamps=true&tailLines=1&replica=0')).toBe(
      `[${pods[0]}] ${new Date(t0 + 2000).toISOString()} third\n`,
    )
    expect(await text('&previous=true&replica=1')).toBe(`[${pods[1]}] before the restart\n`)
    // Followed: the tail, then each line as the pod writes it, until its container stops.
    // (its headers come with its first line: the reading starts before anything is written)
    let received = ''
    const reading = fetch(
      `${server!.url}/api/v1/resources/worker/v/logs?workspace=public&follow=true&replica=0&tailLines=0`,
      {headers: {authorization: `Bearer ${server!.adminKey}`}},
    ).then(async (response) => {
      const reader = response.body!.getReader()
      for (;;) {
        const {value, done} = await reader.read()
        if (done) return
        received += new TextDecoder().decode(value)
      }
    })
    // Written until one arrives: the follower attaches to pods/log a moment after the headers.
    await waitFor('a followed line', () => {
      fake.writeLog(NS, pods[0]!, 'live')
      return received.includes(`[${pods[0]}] live\n`) || undefined
    })
    expect(received).not.toContain('first') // tailLines=0: only what came after
    // The container stops: the stream ends, and so does the followed log.
    fake.endLog(NS, pods[0]!)
    await reading
  })

  it('says when the dataplane does not answer', async () => {
    fake.down = true
    try {
      expect((await apply(server!, {...COMPUTE, description: 'changed'})).status).toBe(200)
      await waitFor('the compute unreachable', async () => {
        const r = (await call(server!, 'GET', '/api/v1/resources/compute/kube')).json() as {
          status: {reachable?: boolean; message?: string}
        }
        return r.status.reachable === false ? r.status : undefined
      })
      expect((await apply(server!, nodeWorker('v', 'setInterval(() => {}, 2000)', {compute: 'kube'}))).status).toBe(200)
      const failed = await waitFor('the worker says why', async () => {
        const s = await status('v')
        return s.lastError?.startsWith('dataplane hub:') ? s : undefined
      })
      expect(failed.phase).toBe('Failed')
    } finally {
      fake.down = false
    }
    await waitFor('running again once it answers', async () =>
      (await status('v')).phase !== 'Failed' ? true : undefined,
    )
  })
})
