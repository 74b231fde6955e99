// A control plane with a Kubernetes dataplane, against the fake API server of test/helpers (a
// test double: no kube-apiserver runs here), driven by the real @kubernetes/client-node inside the
// real server process. What the fake cannot do (controllers) the test does: it writes the pods,
// the Deployment status and the events a cluster would.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, call, nodeWorker} from '../../helpers/api.js'
import {runCli} from '../../helpers/run-cli.js'
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
        // The pod template's labels, as the ReplicaSet controller gives them.
        labels: (deployment.spec!.template as {metadata: {labels: Record<string, string>}}).metadata.labels,
      },
      spec: {nodeName: `node-${i}`},
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
        labels: (deployment.spec!.template as {metadata: {labels: Record<string, string>}}).metadata.labels,
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

  it('follows the cluster through watches: a pod’s change reaches the status without a read or a write', async () => {
    // Deployments, pods and HPAs of drover's label, cluster-wide, with bookmarks; the namespace's events.
    await waitFor(
      'the watches',
      () => ['Deployment', 'Pod', 'HorizontalPodAutoscaler', 'Event'].every((k) => fake.watchCount(k) > 0) || undefined,
    )
    for (const w of fake.requests.filter((r) => r.query.watch === 'true'))
      expect(w.query).toMatchObject({allowWatchBookmarks: 'true'})
    const since = fake.requests.length
    const pod = fake.list('Pod', NS).find((p) => p.metadata.name.startsWith('w-'))!
    fake.put({
      ...pod,
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'worker',
            ready: false,
            restartCount: 4,
            state: {waiting: {reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container'}},
            lastState: {terminated: {exitCode: 1, reason: 'Error', finishedAt: new Date().toISOString()}},
          },
        ],
      },
    })
    await waitFor('crash-looping', async () => ((await status('w')).phase === 'CrashLooping' ? true : undefined))
    // Resyncs meanwhile (every second here) sent nothing either: the informers' caches answer.
    expect(fake.requests.slice(since).filter((r) => r.query.watch !== 'true' && r.path !== '/version')).toEqual([])
    fake.put(pod) // running again
    await waitFor('running 2/2 again', async () => ((await status('w')).readyReplicas === 2 ? true : undefined))
  })

  it('resumes a watch from its last bookmark, and lists again after a 410', async () => {
    const podWatches = () => fake.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === 'true')
    const podLists = () => fake.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch !== 'true')
    // Something the watch does not see moves the resourceVersion on; a bookmark tells the client.
    fake.put({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'elsewhere', namespace: 'default'}})
    fake.bookmark()
    const bookmarked = fake.resourceVersion()
    const watches = podWatches().length
    fake.closeWatches() // as an API server ends a watch at its timeout
    const resumed = await waitFor('the pod watch resumed', () => podWatches()[watches])
    expect(resumed.query.resourceVersion).toBe(bookmarked)
    // etcd compacted: the resourceVersion it has is gone; it lists again, then watches from there.
    const lists = podLists().length
    fake.compact()
    await waitFor('pods listed again', () => (podLists().length > lists ? true : undefined))
    await waitFor('watching again', () => (fake.watchCount('Pod') > 0 ? true : undefined))
    const pod = fake.list('Pod', NS).find((p) => p.metadata.name.startsWith('w-'))!
    fake.delete('Pod', NS, pod.metadata.name)
    await waitFor('1 replica after the relist', async () =>
      (await status('w')).readyReplicas === 1 ? true : undefined,
    )
    fake.put(pod)
    await waitFor('2 again', async () => ((await status('w')).readyReplicas === 2 ? true : undefined))
  })

  it('forwards the cluster’s events into the worker’s, once each', async () => {
    const pod = fake.list('Pod', NS).find((p) => p.metadata.name.startsWith('w-'))!.metadata.name
    const event = (name: string, reason: string, message: string, count: number, at: Date) =>
      ({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {name, namespace: NS},
        involvedObject: {kind: 'Pod', name: pod, namespace: NS},
        type: 'Warning',
        reason,
        message,
        count,
        lastTimestamp: at.toISOString(),
      }) as KubeObject
    const events = async () =>
      (
        (await call(server!, 'GET', '/api/v1/resources/worker/w/events?workspace=public')).json() as {
          items: {reason: string; message: string; count?: number}[]
        }
      ).items
    // Forwarded by the control plane that ran then: not again.
    fake.put(event('w.old', 'FailedMount', 'an hour ago', 1, new Date(Date.now() - 3_600_000)))
    fake.put(event('w.backoff', 'BackOff', 'Back-off restarting failed container worker', 1, new Date()))
    const first = await waitFor('the event', async () => (await events()).find((e) => e.reason === 'BackOff'))
    expect(first.message).toBe(`pod ${pod}: Back-off restarting failed container worker`)
    expect((await events()).some((e) => e.reason === 'FailedMount')).toBe(false)
    // Kubernetes counts a repeat in the same event: one more here too, and only one.
    fake.put(event('w.backoff', 'BackOff', 'Back-off restarting failed container worker', 2, new Date()))
    await waitFor('counted twice', async () =>
      (await events()).find((e) => e.reason === 'BackOff')?.count === 2 ? true : undefined,
    )
    // A relist sees it again, unchanged: not forwarded again.
    fake.compact()
    await waitFor('watching events again', () => (fake.watchCount('Event') > 0 ? true : undefined))
    fake.put(event('w.sched', 'Scheduled', 'a marker after the relist', 1, new Date()))
    await waitFor('the marker', async () => (await events()).find((e) => e.reason === 'Scheduled'))
    expect((await events()).find((e) => e.reason === 'BackOff')?.count).toBe(2)
  })

  it('shows each pod’s node, and its CPU and memory when the cluster has metrics-server (n/a otherwise)', async () => {
    const remote = {DROVER_URL: server!.url, DROVER_APIKEY: server!.adminKey}
    type View = {
      usageUnavailable?: string
      replicas: {name: string; node?: string; cpuCores?: number; memoryBytes?: number}[]
    }
    const runtime = async () =>
      (await call(server!, 'GET', '/api/v1/resources/worker/w/runtime?workspace=public')).json() as View
    const without = await runtime()
    expect(without.usageUnavailable).toMatch(/metrics-server/)
    expect(without.replicas.map((r) => r.node).sort()).toEqual(['node-0', 'node-1'])
    const table = await runCli(['get', 'runtime', '-n', 'w'], {env: remote})
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^REPLICA +NODE +PHASE +READY +RESTARTS +LAST EXIT +CPU +MEMORY +STARTED$/m)
    expect(table.stdout).toMatch(/^w-\S+ +node-0 +Running +yes +0 +- +n\/a +n\/a /m)
    for (const r of without.replicas) fake.setPodMetrics(NS, r.name, {cpu: '250000000n', memory: '65536Ki'})
    const view = await runtime()
    expect(view.usageUnavailable).toBeUndefined()
    expect(view.replicas.map((r) => [r.cpuCores, r.memoryBytes])).toEqual([
      [0.25, 64 * 2 ** 20],
      [0.25, 64 * 2 ** 20],
    ])
  })

  it('shows its pods on the Operations page, with their nodes', async () => {
    const login = await fetch(new URL('/ui/login', server!.url), {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: `apiKey=${encodeURIComponent(server!.adminKey)}`,
      redirect: 'manual',
    })
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    const page = await (await fetch(new URL('/ui/workers/public/w', server!.url), {headers: {cookie}})).text()
    expect(page).toMatch(
      /<tr><th scope="row">w-[0-9a-f]{10}-0<\/th><td>node-0<\/td><td><span class="status status-running">Running<\/span>/,
    )
    expect(page).toContain('<th scope="col">Node</th>')
    expect(page).toContain('<dd>kube</dd>')
  })

  it('removes the objects of a worker deleted while no control plane ran', async () => {
    // Left by a control plane whose store no longer has the worker.
    const labels = {
      'app.kubernetes.io/managed-by': 'drover',
      'drover.dev/workspace': 'public',
      'drover.dev/worker': 'ghost',
    }
    fake.put({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ghost.config', namespace: NS, labels}})
    fake.put({apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'ghost', namespace: NS, labels}, spec: {}})
    await waitFor('swept', () =>
      fake.get('Deployment', NS, 'ghost') || fake.get('ConfigMap', NS, 'ghost.config') ? undefined : true,
    )
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
    // Followed: the tail, then each line as the pods write it, and the pods that start meanwhile
    // from their first line, until the worker is deleted.
    // (its headers come with its first line: the reading starts before anything is written)
    let received = ''
    const reading = fetch(`${server!.url}/api/v1/resources/worker/v/logs?workspace=public&follow=true&tailLines=0`, {
      headers: {authorization: `Bearer ${server!.adminKey}`},
    }).then(async (response) => {
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
    // A pod that starts now (a scale-up) is followed from its first line.
    const template = fake.get('Pod', NS, pods[1]!)!
    fake.writeLog(NS, 'v-late', 'its first line')
    fake.put({...template, metadata: {...template.metadata, name: 'v-late'}})
    await waitFor('the new pod’s lines', () => (received.includes('[v-late] its first line\n') ? true : undefined))
    // Its container restarts: the new run is followed from its first line, the old one's not again.
    fake.restartContainer(NS, 'v-late')
    fake.writeLog(NS, 'v-late', 'after the restart')
    const late = fake.get('Pod', NS, 'v-late')!
    const statuses = (late.status as {containerStatuses: {restartCount: number}[]}).containerStatuses
    fake.put({...late, status: {...late.status, containerStatuses: [{...statuses[0], restartCount: 1}]}})
    await waitFor('the restarted container’s lines', () =>
      received.includes('[v-late] after the restart\n') ? true : undefined,
    )
    expect(received.split('[v-late] its first line').length).toBe(2) // once
    // Its container stops: the worker is still followed; it ends when the worker is deleted.
    fake.endLog(NS, pods[0]!)
    expect((await call(server!, 'DELETE', '/api/v1/resources/worker/v?workspace=public')).status).toBe(200)
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
